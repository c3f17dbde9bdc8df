"""Automatic OS image upgrade and the health probe in an azapi_resource scale set body.

AZP113 (rules/AZP113.yaml, sources S20 and S4): automatic OS image upgrade needs a health probe
or an application health extension. The azapi body is ARM-shaped, so its upgrade policy and
probe are read by the one extractor of ARM-shaped bodies (compute/arm_body.py), as for an ARM
template and Bicep: the same body with and without the probe gives one finding and none.
"""

from __future__ import annotations

from armlint.run.pipeline import RunOptions, run_check

SCALE_SET = """resource "azapi_resource" "vmss" {{
  type      = "Microsoft.Compute/virtualMachineScaleSets@2024-07-01"
  name      = "uniform"
  location  = "westeurope"
  parent_id = "/subscriptions/x/resourceGroups/rg"
  body = {{
    properties = {{
      orchestrationMode = "Uniform"
      upgradePolicy = {{
        mode = "Automatic"
        automaticOSUpgradePolicy = {{
          enableAutomaticOSUpgrade = true
        }}
      }}
      virtualMachineProfile = {{
        osProfile = {{
          linuxConfiguration = {{
            patchSettings = {{
              patchMode = "ImageDefault"
            }}
          }}
        }}
        storageProfile = {{
          imageReference = {{
            publisher = "Canonical"
            offer     = "ubuntu-24_04-lts"
            sku       = "server"
            version   = "latest"
          }}
        }}{network}
      }}
    }}
  }}
}}
"""
PROBE = """
        networkProfile = {
          healthProbe = {
            id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/probes/http"
          }
        }"""


def findings(tmp_path, network: str) -> list[tuple]:
    """The run in process (the CLI is not the point here), one resource expected."""
    (tmp_path / "main.tf").write_text(SCALE_SET.format(network=network), encoding="utf-8")
    result = run_check(RunOptions(paths=[str(tmp_path)]))
    assert result.summary()["resources"] == 1
    return [(f.rule, f.location.line, f.location.column) for f in result.findings]


def test_automatic_os_upgrade_without_probe_or_health_extension_is_azp113(tmp_path):
    # Located at the enableAutomaticOSUpgrade value inside the body.
    assert findings(tmp_path, "") == [("AZP113", 12, 38)]


def test_a_health_probe_in_the_body_satisfies_azp113(tmp_path):
    assert findings(tmp_path, PROBE) == []
