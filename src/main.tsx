import { createClient } from './client'
import { mountApp } from './ui'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

const client = createClient({ serviceWorkerUrl: import.meta.env.PROD ? '/sw.js' : undefined })
mountApp(root, client)
void client.start()
