param location string = 'uksouth'

resource db 'Microsoft.Compute/virtualMachines@2024-07-01' = {
  name: 'db-01'
  location: location
  properties: {
    osProfile: {
      computerName: 'db-01'
      adminUsername: 'azureuser'
      linuxConfiguration: {
        provisionVMAgent: false
        patchSettings: {
          patchMode: 'AutomaticByPlatform'
        }
      }
    }
    storageProfile: {
      imageReference: {
        publisher: 'Canonical'
        offer: '0001-com-ubuntu-server-jammy'
        sku: '22_04-lts-gen2'
        version: 'latest'
      }
    }
  }
}
