"""Live estates: exported Azure state (az CLI, Resource Graph, PowerShell) as records, and drift.

``shapes`` recognises the exports, ``records`` turns their VMs into records, ``drift`` compares
them with the templates that declare them, ``drift_report`` renders the comparison.
"""
