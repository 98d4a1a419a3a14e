"""Property tests of the API against its own OpenAPI document (hypothesis).

Any valid profile gives a 201 whose body validates against the documented
Recommendation schema; any profile made invalid in one field gives a 422
problem that validates against the Problem schema and names that field, and
stores nothing. Nothing else is ever answered.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from schemas.profile import CompanyProfileSchema
from service.http.apidoc import shown_name
from service.engine.catalogue import PLANNED_HIRES_MAX, PRODUCT_COMPLEXITIES, STAGES, TEAM_SIZE_MAX
from tests.strategies import as_payload, profiles

PROPERTIES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
DOCUMENT_URI = "urn:hiremix:openapi"


@functools.cache
def _validator(app, component: str) -> Draft202012Validator:
    with app.test_client() as client:
        document = client.get("/openapi.json").get_json()
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document,
                                                                             default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/components/schemas/{component}"}, registry=registry)


def assert_matches(app, component: str, body) -> None:
    errors = sorted(_validator(app, component).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@PROPERTIES
@given(profiles, st.booleans())
def test_any_valid_profile_is_a_201_matching_the_documented_schema(app, client, profile, as_float):
    payload = as_payload(profile)
    if as_float:  # JSON Schema integers include numbers such as 6.0
        payload["team_size"] = float(payload["team_size"])
    created = client.post("/v1/recommendations", json=payload)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.content_type == "application/json"
    assert_matches(app, "Recommendation", created.get_json())
    assert client.get(created.headers["Location"]).get_data() == created.get_data()


_FIELDS = set(CompanyProfileSchema().fields)
_REQUIRED = {"stage", "team_size", "product_complexity", "business_model"}
_STAGES, _COMPLEXITIES = set(STAGES), set(PRODUCT_COMPLEXITIES)

# One field broken at a time: (pointer, broken value); None as the value means "left out".
BREAKAGES = st.one_of(
    st.tuples(st.just("stage"), st.one_of(st.text(max_size=12).filter(lambda s: s not in _STAGES), st.integers(),
                                          st.none())),
    st.tuples(st.just("team_size"), st.one_of(st.integers(max_value=-1), st.integers(min_value=TEAM_SIZE_MAX + 1),
                                              st.floats(allow_nan=False, allow_infinity=False).filter(
                                                  lambda f: not f.is_integer()),
                                              st.text(max_size=5), st.booleans())),
    st.tuples(st.just("product_complexity"), st.one_of(st.text(max_size=8).filter(lambda s: s not in _COMPLEXITIES),
                                                       st.lists(st.integers(), max_size=2))),
    st.tuples(st.just("business_model"), st.sampled_from(["", "B2B_SAAS", "saas", 7, []])),
    st.tuples(st.just("priorities"), st.one_of(st.just(["ship_fast", "ship_fast"]), st.just(["speed"]),
                                               st.text(max_size=5), st.integers())),
    st.tuples(st.just("planned_hires"), st.one_of(st.integers(max_value=0),
                                                  st.integers(min_value=PLANNED_HIRES_MAX + 1), st.text(max_size=3))),
    st.tuples(st.just("company_name"), st.one_of(st.just(""), st.just(" \t"), st.just("a\nb"), st.text(min_size=201,
                                                                                                      max_size=210))),
    st.tuples(st.text(min_size=1, max_size=10).filter(lambda k: k not in _FIELDS), st.integers()),
)


@PROPERTIES
@given(profiles, BREAKAGES, st.booleans())
def test_any_profile_broken_in_one_field_is_a_422_naming_it_and_stores_nothing(app, client, profile, breakage,
                                                                                  leave_out):
    field, value = breakage
    payload = as_payload(profile)
    if leave_out and field in _REQUIRED:
        payload.pop(field)
    else:
        payload[field] = value
        if value is None and field not in _REQUIRED:
            return  # null is allowed for optional fields
    before = client.get("/v1/recommendations?limit=100").get_json()["data"]
    response = client.post("/v1/recommendations", json=payload)
    assert response.status_code == 422, (payload, response.get_data(as_text=True))
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert_matches(app, "Problem", problem)
    pointer = "/" + shown_name(field).replace("~", "~0").replace("/", "~1")  # a made-up name: as far as echoed
    assert any(e["pointer"] == pointer or e["pointer"].startswith(pointer + "/") for e in problem["errors"]), problem
    assert client.get("/v1/recommendations?limit=100").get_json()["data"] == before
