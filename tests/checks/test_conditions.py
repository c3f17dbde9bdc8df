"""The rule-condition evaluator agrees with jsonschema when everything is known,
and answers MAYBE (naming the facts) only when an unknown fact could change the answer."""

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from armlint.checks import conditions
from armlint.model import Unknown

FACTS = ["os", "patch_mode", "enable_automatic_updates", "provision_vm_agent"]
VALUES = [
    "Windows",
    "Linux",
    "Manual",
    "AutomaticByOS",
    "AutomaticByPlatform",
    True,
    False,
    1,
    None,
]

value_schemas = st.one_of(
    st.builds(lambda v: {"const": v}, st.sampled_from(VALUES)),
    st.builds(lambda vs: {"enum": vs}, st.lists(st.sampled_from(VALUES), min_size=1, max_size=3)),
    st.builds(lambda t: {"type": t}, st.sampled_from(["string", "boolean", "integer", "null"])),
    st.just({"pattern": "^Auto"}),
    st.just({"minLength": 7}),
)


def _object_schema(children):
    return st.one_of(
        st.builds(
            lambda props: {"properties": props},
            st.dictionaries(st.sampled_from(FACTS), value_schemas, min_size=1, max_size=3),
        ),
        st.builds(lambda keys: {"required": keys}, st.lists(st.sampled_from(FACTS), max_size=2)),
        st.builds(lambda s: {"not": s}, children),
        st.builds(lambda ss: {"anyOf": ss}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda ss: {"allOf": ss}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda ss: {"oneOf": ss}, st.lists(children, min_size=1, max_size=3)),
    )


schemas = st.recursive(
    st.builds(
        lambda props: {"properties": props},
        st.dictionaries(st.sampled_from(FACTS), value_schemas, min_size=1, max_size=2),
    ),
    _object_schema,
    max_leaves=6,
)
instances = st.dictionaries(st.sampled_from(FACTS), st.sampled_from(VALUES), max_size=4)


# 250 and 150 examples (Hypothesis's default is 100): schemas of at most 6 leaves over a handful
# of facts and values, a space a few hundred examples cover; more only slowed the suite.
@settings(max_examples=250, deadline=None)
@given(schemas, instances)
def test_agrees_with_jsonschema_on_known_values(schema, instance):
    expected = jsonschema.Draft202012Validator(schema).is_valid(instance)
    assert conditions.evaluate(schema, instance).value is expected


@settings(max_examples=150, deadline=None)
@given(schemas, instances, st.sampled_from(FACTS))
def test_maybe_only_when_the_unknown_fact_matters(schema, instance, hidden):
    unknown = dict(instance, **{hidden: Unknown("test")})
    verdict = conditions.evaluate(schema, unknown)
    outcomes = {
        jsonschema.Draft202012Validator(schema).is_valid(dict(instance, **{hidden: value}))
        for value in VALUES
    }
    if verdict.value is conditions.MAYBE:
        assert hidden in verdict.unknown
    else:
        # A definite answer must hold whatever the unknown value turns out to be.
        assert outcomes == {verdict.value}


def test_manual_with_default_updates_is_a_match():
    schema = {
        "required": ["os", "patch_mode", "enable_automatic_updates"],
        "properties": {
            "os": {"const": "Windows"},
            "patch_mode": {"const": "Manual"},
            "enable_automatic_updates": {"const": True},
        },
    }
    view = {"os": "Windows", "patch_mode": "Manual", "enable_automatic_updates": True}
    assert conditions.evaluate(schema, view).value is True
    view["patch_mode"] = Unknown("no value")
    verdict = conditions.evaluate(schema, view)
    assert verdict.value is None and verdict.unknown == {"patch_mode"}
    view["os"] = "Linux"
    assert conditions.evaluate(schema, view).value is False


def test_true_is_not_one():
    assert conditions.evaluate({"properties": {"a": {"const": True}}}, {"a": 1}).value is False


def test_unsupported_keywords_are_listed():
    assert conditions.unsupported_keywords({"anyOf": [{"if": {}}], "minimum": 1}) == {
        "if",
        "minimum",
    }


@settings(max_examples=150, deadline=None)
@given(schemas, instances, instances)
def test_the_verdict_depends_only_on_the_facts_view_keys_names(schema, instance, other):
    """The engine keeps verdicts by the values of these facts (Engine._verdict)."""
    keys = conditions.view_keys(schema)
    if keys is None:  # const/enum over the whole view: not kept
        return
    same_where_read = {k: v for k, v in other.items() if k not in keys}
    same_where_read.update({k: v for k, v in instance.items() if k in keys})
    assert conditions.evaluate(schema, same_where_read) == conditions.evaluate(schema, instance)


def test_kept_verdicts_tell_true_from_one_and_containers_are_not_kept():
    from armlint.checks.engine import CheckOptions, Engine
    from armlint.checks.pack import load_pack

    engine = Engine(load_pack(), CheckOptions())
    condition = {"properties": {"x": {"const": True}}, "required": ["x"]}
    assert engine._verdict(condition, {"x": True}).value is conditions.YES
    assert engine._verdict(condition, {"x": 1}).value is conditions.NO
    assert engine._verdict(condition, {"x": True}).value is conditions.YES
    assert conditions.values_key({"x": [1]}, ("x",)) is None
    assert conditions.view_keys({"const": {"x": 1}}) is None
