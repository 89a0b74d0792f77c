/** Hands a file to the browser's download, as a person saving it would expect. */
export const saveFile = (file: { readonly fileName: string; readonly blob: Blob }): void => {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(file.blob)
  link.download = file.fileName
  link.click()
  setTimeout(() => {
    URL.revokeObjectURL(link.href)
  }, 0)
}
