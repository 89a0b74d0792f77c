// The public surface of src/ui: other layers import only what is named here.
export {}
