// The public surface of src/halo: other layers import only what is named here.
export {}
