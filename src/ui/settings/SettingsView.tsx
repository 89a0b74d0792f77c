import type { Component } from 'solid-js'
import { ConnectionSettings } from './ConnectionSettings'
import { StorageSettings } from './StorageSettings'

export const SettingsView: Component = () => (
  <>
    <h2 class="visually-hidden">Settings</h2>
    <ConnectionSettings />
    <StorageSettings />
  </>
)
