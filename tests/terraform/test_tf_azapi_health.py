"""The application health extension written inline in an azapi_resource scale set body.

AZP110 (rules/AZP110.yaml, sources S1 and S6): a Flexible scale set with AutomaticByPlatform
needs an application health extension. In an ``azapi_resource`` the extension may sit in the
ARM-shaped body (``virtualMachineProfile.extensionProfile.extensions``) rather than in a
separate resource; armlint must see it there, so the same body with and without the extension
gives no finding and one finding.
"""

from __future__ import annotations

import pytest

SCALE_SET = """resource "azapi_resource" "vmss" {{
  type      = "Microsoft.Compute/virtualMachineScaleSets@2024-07-01"
  name      = "flex"
  location  = "westeurope"
  parent_id = "/subscriptions/x/resourceGroups/rg"
  body = {{
    properties = {{
      orchestrationMode        = "Flexible"
      platformFaultDomainCount = 1
      virtualMachineProfile = {{
        osProfile = {{
          linuxConfiguration = {{
            patchSettings = {{
              patchMode = "AutomaticByPlatform"
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
        }}{extensions}
      }}
    }}
  }}
}}
"""
HEALTH = """
        extensionProfile = {
          extensions = [
            {
              name = "health"
              properties = {
                publisher          = "Microsoft.ManagedServices"
                type               = "{kind}"
                typeHandlerVersion = "2.0"
              }
            }
          ]
        }"""


def check(tmp_path, armlint_cli, extensions: str) -> list[tuple]:
    (tmp_path / "main.tf").write_text(SCALE_SET.format(extensions=extensions), encoding="utf-8")
    run = armlint_cli("check", "--no-cache", "--jobs", "1", "--format", "json", tmp_path)
    assert run.code in (0, 1), run.err
    report = run.json()
    assert report["summary"]["resources"] == 1
    return [(f["rule"], f["line"], f["column"]) for f in report["findings"]]


@pytest.mark.parametrize("kind", ["ApplicationHealthLinux", "ApplicationHealthWindows"])
def test_an_inline_health_extension_satisfies_azp110(tmp_path, armlint_cli, kind):
    assert check(tmp_path, armlint_cli, HEALTH.replace("{kind}", kind)) == []


def test_without_it_or_with_another_extension_azp110_is_reported(tmp_path, armlint_cli):
    assert check(tmp_path, armlint_cli, "") == [("AZP110", 14, 27)]
    other = HEALTH.replace("{kind}", "CustomScript")
    assert check(tmp_path, armlint_cli, other) == [("AZP110", 14, 27)]
