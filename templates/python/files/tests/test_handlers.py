"""Every handler, called through the dispatcher as the local container calls it."""
import pytest

import lambda_function
from lambda_function import UnknownHandlerError, lambda_handler


# lambda-image:tests (one test per handler; new ones are added above this line)


def test_dispatcher_routes_every_handler_in_the_manifest(manifest):
    assert list(lambda_function.HANDLERS) == [h["name"] for h in manifest["handlers"]]


def test_unknown_handler_names_the_valid_ones(context):
    with pytest.raises(UnknownHandlerError) as error:
        lambda_handler({"handler": "no_such_handler", "event": {}}, context)
    for name in lambda_function.HANDLERS:
        assert name in str(error.value)


def test_missing_handler_is_refused(context):
    with pytest.raises(UnknownHandlerError, match='missing "handler"'):
        lambda_handler({"event": {}}, context)
