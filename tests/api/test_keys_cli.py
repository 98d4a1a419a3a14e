"""`flask --app service keys create|list|revoke|bootstrap`."""

import pytest

from service import create_app, keys


def run(app, *args):
    return app.test_cli_runner().invoke(args=["keys", *args])


def test_create_prints_the_key_alone_on_the_last_line_and_it_works(app, anonymous):
    result = run(app, "create", "--name", "Acme HR")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert keys.KEY_PATTERN.match(key) and key.startswith("hk_test_")
    assert "shown only once" in result.output
    response = anonymous.get("/v1/recommendations", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_a_key_for_an_existing_tenant_sees_that_tenants_objects(app, anonymous, client, create):
    made = create().get_json()["id"]
    tenant = keys.authenticate(client.environ_base["HTTP_AUTHORIZATION"].split()[1],
                               app.extensions["hiremix"].sessions).tenant_id
    for reference in (tenant, "tenant a"):  # by id or by name
        result = run(app, "create", "--name", "second key", "--tenant", reference)
        key = result.output.strip().splitlines()[-1]
        assert anonymous.get(f"/v1/recommendations/{made}",
                             headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_scopes_are_chosen_with_repeated_options(app):
    result = run(app, "create", "--name", "reporting", "--scope", "recommendations:read")
    key = result.output.strip().splitlines()[-1]
    assert keys.authenticate(key, app.extensions["hiremix"].sessions).scopes == {"recommendations:read"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--name", "x", "--tenant", "ten_nobody"), "no tenant 'ten_nobody'"),
        (("create", "--name", "x", "--scope", "everything"), "'everything' is not one of"),
        (("create",), "Missing option '--name'"),
        (("revoke", "key_nothing"), "no key 'key_nothing'"),
    ],
)
def test_mistakes_are_one_clear_line_and_change_nothing(app, args, message):
    before = keys.list_keys(app.extensions["hiremix"].sessions)
    result = run(app, *args)
    assert result.exit_code != 0 and message in result.output
    assert keys.list_keys(app.extensions["hiremix"].sessions) == before


def test_list_shows_ids_and_hints_never_the_keys(app, api_key):
    result = run(app, "list")
    assert result.exit_code == 0
    assert api_key not in result.output and api_key[-4:] in result.output and "active" in result.output


def test_revoke_makes_the_key_401(app, anonymous):
    new = keys.create_key(app.extensions["hiremix"].sessions, name="leaked")
    assert run(app, "revoke", new.info.id).exit_code == 0
    # A key this process has not looked up yet is refused at once (a looked-up one within HIREMIX_KEY_CACHE_SECONDS).
    assert anonymous.get("/v1/recommendations", headers={"Authorization": f"Bearer {new.secret}"}).status_code == 401
    assert "revoked" in run(app, "list").output


def test_bootstrap_makes_one_development_key_once(app):
    first = run(app, "bootstrap")
    assert first.exit_code == 0 and "export HIREMIX_KEY=hk_test_" in first.output
    second = run(app, "bootstrap")
    assert second.exit_code == 0 and "HIREMIX_KEY=" not in second.output
    assert len(keys.list_keys(app.extensions["hiremix"].sessions)) == 1


def test_production_never_makes_a_key_by_itself_and_issues_live_keys(database_url, app):
    """`app` is only here to clean the tables afterwards."""
    production = create_app({"DATABASE_URL": database_url, "HIREMIX_ENV": "production"})
    result = run(production, "bootstrap")
    assert result.exit_code != 0 and "production" in result.output
    assert keys.list_keys(production.extensions["hiremix"].sessions) == []
    key = run(production, "create", "--name", "live").output.strip().splitlines()[-1]
    assert key.startswith("hk_live_")
    production.extensions["hiremix"].engine.dispose()
