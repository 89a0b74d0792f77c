// The public surface of src/echo: other layers import only what is named here.
export {}
