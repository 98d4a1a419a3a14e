"""HIREMIX_PROXY_HOPS: X-Forwarded-* are believed from that many proxies, and from nobody by default."""

import logging

import pytest

from service import create_app
from service.config import ConfigurationError
from tests.conftest import keyed_client

FORWARDED = {"X-Forwarded-Host": "hiremix.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "6666",
             "X-Forwarded-For": "203.0.113.9, 198.51.100.7"}


def _app(database_url, hops):
    return create_app({"DATABASE_URL": database_url, "TESTING": True, "HIREMIX_PROXY_HOPS": hops})


def _next_link_and_client(app, key, caplog):
    client = keyed_client(app, key)
    for _ in range(2):
        assert client.post("/v1/recommendations", json={"stage": "seed", "team_size": 6, "product_complexity": "low",
                                                        "business_model": "b2b_saas"}).status_code == 201
    caplog.clear()
    response = client.get("/v1/recommendations?limit=1", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    [line] = [r for r in caplog.records if r.getMessage().startswith("GET /v1/recommendations")]
    return response.headers["Link"], line.client_address


def test_behind_one_proxy_links_and_client_addresses_follow_the_last_hop(database_url, new_key, caplog):
    caplog.set_level(logging.INFO, logger="hiremix")
    link, client = _next_link_and_client(_app(database_url, "1"), new_key(), caplog)
    assert link.startswith("<https://hiremix.example.com/v1/recommendations?")
    assert client == "198.51.100.7"  # the address the proxy saw, not what the client claimed before it


def test_without_hops_forwarded_headers_are_ignored(app, api_key, caplog):
    caplog.set_level(logging.INFO, logger="hiremix")
    link, client = _next_link_and_client(app, api_key, caplog)
    assert link.startswith("<http://localhost/v1/recommendations?") and client == "10.0.0.2"


@pytest.mark.parametrize("hops", ["-1", "six", "9"])
def test_a_bad_hop_count_stops_the_start(hops):
    with pytest.raises(ConfigurationError, match="HIREMIX_PROXY_HOPS"):
        create_app({"DATABASE_URL": "sqlite://", "HIREMIX_PROXY_HOPS": hops})
