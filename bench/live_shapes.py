"""VM objects in the exact shape ``az vm list`` prints, for the example export and the benchmark.

The CLI serialises the SDK model with ``properties`` flattened, keys sorted, every unset
property as ``null`` and ``provisionVmAgent`` in the SDK's spelling (Azure/azure-cli
src/azure-cli/azure/cli/command_modules/vm/custom.py; tests/fixtures/live/README.md lists the
sources of each shape). Only the values differ between VMs.
"""

from __future__ import annotations

SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
WINDOWS_2022 = ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition")
UBUNTU_2204 = ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2")


def cli_vm(
    name: str,
    group: str,
    os_type: str,
    patch_mode: str,
    automatic_updates: bool | None = None,
    image: tuple[str, str, str] = WINDOWS_2022,
    zones: list[str] | None = None,
    location: str = "westeurope",
    agent: bool = True,
    assessment: str = "ImageDefault",
) -> dict:
    base = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers"
    patch = {
        "assessmentMode": assessment,
        "automaticByPlatformSettings": None,
        "patchMode": patch_mode,
    }
    windows = linux = None
    if os_type == "Windows":
        windows = {
            "additionalUnattendContent": None,
            "enableAutomaticUpdates": automatic_updates,
            "enableVmAgentPlatformUpdates": False,
            "patchSettings": {**patch, "enableHotpatching": False},
            "provisionVmAgent": agent,
            "timeZone": None,
            "winRm": None,
        }
    else:
        linux = {
            "disablePasswordAuthentication": True,
            "enableVmAgentPlatformUpdates": False,
            "patchSettings": patch,
            "provisionVmAgent": agent,
            "ssh": {
                "publicKeys": [
                    {
                        "keyData": "ssh-ed25519 AAAAexample",
                        "path": "/home/azureuser/.ssh/authorized_keys",
                    }
                ]
            },
        }
    publisher, offer, sku = image
    return {
        "additionalCapabilities": None,
        "availabilitySet": None,
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True, "storageUri": None}},
        "extendedLocation": None,
        "hardwareProfile": {"vmSize": "Standard_D2s_v5", "vmSizeProperties": None},
        "id": f"{base}/Microsoft.Compute/virtualMachines/{name}",
        "identity": None,
        "licenseType": None,
        "location": location,
        "name": name,
        "networkProfile": {
            "networkApiVersion": None,
            "networkInterfaceConfigurations": None,
            "networkInterfaces": [
                {
                    "deleteOption": "Delete",
                    "id": f"{base}/Microsoft.Network/networkInterfaces/{name}-nic",
                    "primary": None,
                    "resourceGroup": group,
                }
            ],
        },
        "osProfile": {
            "adminPassword": None,
            "adminUsername": "azureuser",
            "allowExtensionOperations": True,
            "computerName": name,
            "customData": None,
            "linuxConfiguration": linux,
            "requireGuestProvisionSignal": True,
            "secrets": [],
            "windowsConfiguration": windows,
        },
        "plan": None,
        "priority": "Regular",
        "provisioningState": "Succeeded",
        "resourceGroup": group,
        "resources": None,
        "securityProfile": None,
        "storageProfile": {
            "dataDisks": [],
            "diskControllerType": "SCSI",
            "imageReference": {
                "communityGalleryImageId": None,
                "exactVersion": None,
                "id": None,
                "offer": offer,
                "publisher": publisher,
                "sharedGalleryImageId": None,
                "sku": sku,
                "version": "latest",
            },
            "osDisk": {
                "caching": "ReadWrite",
                "createOption": "FromImage",
                "deleteOption": "Delete",
                "diskSizeGb": 127 if os_type == "Windows" else 30,
                "managedDisk": {"id": None, "storageAccountType": "Premium_LRS"},
                "name": f"{name}_OsDisk_1",
                "osType": os_type,
            },
        },
        "tags": {},
        "timeCreated": "2025-03-11T09:14:52.1136721+00:00",
        "type": "Microsoft.Compute/virtualMachines",
        "vmId": "6f0c3c1e-8d2a-4b87-9a49-2b8f3c7d1e0a",
        "zones": zones,
    }
