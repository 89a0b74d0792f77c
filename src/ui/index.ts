export { mountApp } from './mount'
