"""Validate a document against one of armlint's JSON schemas (schemas/), as
``jsonschema.validate`` does, with the schema itself checked once per test process.

``jsonschema.validate(instance, schema)`` checks the schema against its metaschema on every
call: for the draft 2020-12 schemas that is about 0.3 s of CPU, more than 90% of a call, and a
property test validating 25 generated plans paid it 25 times. Here the validator of each
schema file is built once: the schema is still checked (a broken schema fails the first test
that uses it) and every instance is still validated in full, by the draft the schema declares.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
from jsonschema.protocols import Validator

from armlint.paths import schemas_dir


@cache
def schema_validator(name: str) -> Validator:
    """The validator of ``schemas/NAME``, its schema checked against its metaschema."""
    schema = json.loads((Path(schemas_dir()) / name).read_text(encoding="utf-8"))
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


def validate(instance: object, name: str) -> None:
    """Raise jsonschema's ValidationError (the best match, as ``jsonschema.validate`` picks
    it) when ``instance`` does not match ``schemas/NAME``."""
    error = jsonschema.exceptions.best_match(schema_validator(name).iter_errors(instance))
    if error is not None:
        raise error
