"""haystack's own test settings, with its two Whoosh connections on the engine in $HAYSTACK_CONTRACT_ENGINE."""

import os

from test_haystack.settings import *  # noqa: F403
from test_haystack.settings import HAYSTACK_CONNECTIONS

STOCK_ENGINE = "haystack.backends.whoosh_backend.WhooshEngine"
ENGINE = os.environ["HAYSTACK_CONTRACT_ENGINE"]

# Copies, so that test_haystack.settings keeps the stock engine.
HAYSTACK_CONNECTIONS = {
    name: {**conn, "ENGINE": ENGINE} if conn["ENGINE"] == STOCK_ENGINE else conn
    for name, conn in HAYSTACK_CONNECTIONS.items()
}

TEST_RUNNER = "tests.haystack_contract.runner.ContractRunner"
