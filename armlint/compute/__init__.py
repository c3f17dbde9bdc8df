"""The one home of Compute knowledge: which property holds which fact, the platform defaults,
the Manual inference, the OS of an image, and the one extractor over ARM-shaped bodies.

Formats (arm/, bicep/, terraform/) parse and evaluate; they hand values with their location and
source to this package, which decides the facts. See docs/dev/contracts.md.
"""
