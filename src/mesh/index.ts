// The public surface of src/mesh: other layers import only what is named here.
export {}
