"""Outages: retries for reads only, timeouts that end quickly, a breaker shared through the cache."""

from __future__ import annotations

import socket
import time

import pytest

from integrations.drgreen.breaker import CircuitBreaker
from integrations.drgreen.client import RetryPolicy
from integrations.drgreen.errors import CircuitOpen, NotFound, ServerError, Unavailable

from .conftest import registration

STRAINS = "GET /dapp/strains"


def test_a_read_is_retried_after_500s_and_then_succeeds(dg, fake):
    fake.fail("error", status=500, count=2, path="^/dapp/strains$")
    page = dg.list_strains("GB", take=3)
    assert len(page.items) == 3
    assert fake.requests(STRAINS) == 3


def test_a_read_gives_up_after_its_attempts(dg, fake):
    fake.fail("error", status=503, path="^/dapp/strains$")
    with pytest.raises(ServerError) as caught:
        dg.list_strains("GB")
    assert caught.value.status == 503 and isinstance(caught.value, Unavailable)
    assert fake.requests(STRAINS) == 3


def test_a_dropped_connection_is_retried(dg, fake):
    fake.fail("drop", count=1, path="^/dapp/strains$")
    assert dg.list_strains("GB", take=1).items
    assert fake.requests(STRAINS) == 2


def test_an_order_is_never_retried(dg, fake):
    patient = dg.register_client(registration()).client
    fake.verify_client(patient.id)
    fake.approve_client(patient.id)
    strain = next(s for s in dg.iter_strains("PT") if s.stock_quantity >= 1)
    dg.add_to_cart(patient.cart_id, [(strain.id, 1)])

    fake.fail("error", status=500, count=1, path="^/dapp/orders$", method="POST")
    with pytest.raises(ServerError):
        dg.create_order(patient.id)
    assert fake.requests("POST /dapp/orders") == 1
    assert dg.list_orders(patient.id).items == ()  # nothing was created behind our back

    assert dg.create_order(patient.id).client_id == patient.id  # the caller decides to try again


def test_writes_are_not_retried_on_timeouts_either(make_client, fake):
    client = make_client(timeout=0.3)
    fake.fail("hang", delay=5, count=1, path="^/dapp/clients$")
    with pytest.raises(Unavailable, match="timed out"):
        client.register_client(registration())
    assert fake.requests("POST /dapp/clients") == 1


def test_a_hanging_server_is_unavailable_quickly(make_client, fake):
    client = make_client(timeout=1.0)
    fake.fail("hang", delay=30, path="^/dapp/strains$")
    started = time.monotonic()
    with pytest.raises(Unavailable, match="timed out") as caught:
        client.list_strains("GB")
    elapsed = time.monotonic() - started
    assert not isinstance(caught.value, ServerError)
    assert elapsed < 5, elapsed  # 3 attempts of 1 s, plus short backoffs
    assert fake.requests(STRAINS) == 3


def test_the_deadline_caps_retries(make_client, fake):
    client = make_client(timeout=1.0, deadline=1.5)
    fake.fail("hang", delay=30, path="^/dapp/strains$")
    started = time.monotonic()
    with pytest.raises(Unavailable):
        client.list_strains("GB")
    assert time.monotonic() - started < 2.5
    assert fake.requests(STRAINS) == 2  # the second attempt only had the half second left


def test_a_slow_answer_within_the_timeout_is_fine(make_client, fake):
    client = make_client(timeout=2.0)
    fake.fail("slow", delay=0.3, count=1, path="^/dapp/strains$")
    started = time.monotonic()
    assert client.list_strains("GB", take=1).items
    assert 0.3 <= time.monotonic() - started < 2
    assert fake.requests(STRAINS) == 1


def test_nothing_listening_is_unavailable(make_client):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client = make_client(base_url=f"http://127.0.0.1:{port}/api/v1")
    started = time.monotonic()
    with pytest.raises(Unavailable, match="could not be reached"):
        client.list_strains("GB")
    assert time.monotonic() - started < 2


# ---------------------------------------------------------------------------
# Circuit breaker
# ---------------------------------------------------------------------------


def breaker_client(make_client, keys, fake, **breaker_options):
    breaker = CircuitBreaker.for_endpoint(fake.api_url, keys.api_key, **breaker_options)
    return make_client(keys, breaker=breaker, retry=RetryPolicy(attempts=1))


def test_the_breaker_opens_fails_fast_and_closes_after_the_cool_down(make_client, keys, fake):
    client = breaker_client(make_client, keys, fake, threshold=3, cooldown=0.5)
    fake.fail("error", status=500, path="^/dapp/strains$")
    for _ in range(3):
        with pytest.raises(ServerError):
            client.list_strains("GB")
    assert fake.requests() == 3

    started = time.monotonic()
    for _ in range(10):
        with pytest.raises(CircuitOpen) as caught:
            client.list_strains("GB")
    assert time.monotonic() - started < 0.5
    assert 0 < caught.value.retry_after <= 0.5
    assert fake.requests() == 3  # failing fast: the server saw none of those

    fake.clear_failures()
    time.sleep(0.55)
    assert client.list_strains("GB", take=1).items  # the trial request
    assert client.breaker.state().failures == 0 and not client.breaker.state().is_open
    client.list_strains("GB", take=1)
    assert fake.requests() == 5


def test_a_failed_trial_request_opens_the_breaker_again(make_client, keys, fake):
    client = breaker_client(make_client, keys, fake, threshold=2, cooldown=0.3)
    fake.fail("error", status=500, path="^/dapp/strains$")
    for _ in range(2):
        with pytest.raises(ServerError):
            client.list_strains("GB")
    time.sleep(0.35)
    with pytest.raises(ServerError):
        client.list_strains("GB")  # the trial fails...
    with pytest.raises(CircuitOpen):
        client.list_strains("GB")  # ...so it is open for another cool-down
    assert fake.requests() == 3


def test_the_breaker_is_shared_by_every_client_of_a_url_and_key(make_client, keys, fake):
    """Two clients stand for two web workers: they meet in the cache, not in memory."""
    worker_1 = breaker_client(make_client, keys, fake, threshold=2, cooldown=30)
    worker_2 = breaker_client(make_client, keys, fake, threshold=2, cooldown=30)
    other_tenant = make_client(retry=RetryPolicy(attempts=1))
    fake.fail("error", status=500, path="^/dapp/strains$", count=2)
    for _ in range(2):
        with pytest.raises(ServerError):
            worker_1.list_strains("GB")
    with pytest.raises(CircuitOpen):
        worker_2.list_strains("GB")
    assert other_tenant.list_strains("GB", take=1).items  # another key is not cut off
    assert fake.requests() == 3


def test_answers_that_are_not_outages_do_not_open_the_breaker(make_client, keys, fake):
    client = breaker_client(make_client, keys, fake, threshold=2, cooldown=30)
    for _ in range(4):
        with pytest.raises(NotFound):
            client.get_client("00000000-0000-0000-0000-000000000000")
    assert client.breaker.state().failures == 0
    assert client.list_strains("GB", take=1).items


def test_a_success_resets_the_count_of_consecutive_failures(make_client, keys, fake):
    client = breaker_client(make_client, keys, fake, threshold=2, cooldown=30)
    fake.fail("error", status=500, path="^/dapp/strains$", count=1)
    with pytest.raises(ServerError):
        client.list_strains("GB")
    client.list_strains("GB", take=1)
    fake.fail("error", status=500, path="^/dapp/strains$", count=1)
    with pytest.raises(ServerError):
        client.list_strains("GB")
    assert client.list_strains("GB", take=1).items  # never two in a row: still closed
