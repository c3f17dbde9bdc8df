variable "patch_mode" {
  type    = string
  default = "AutomaticByOS"
}

resource "azurerm_windows_virtual_machine" "jump" {
  name                      = "jump-01"
  resource_group_name       = "rg-ops"
  location                  = "West Europe"
  size                      = "Standard_B2s"
  admin_username            = "azureuser"
  admin_password            = "not-a-real-password-1!"
  network_interface_ids     = []
  patch_mode                = var.patch_mode
  automatic_updates_enabled = false

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2022-datacenter"
    version   = "latest"
  }
}
