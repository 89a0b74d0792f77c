// The public surface of src/client: other layers import only what is named here.
export {}
