"""A server address is checked where it is typed: one sentence for each mistake, never a password kept."""

import pytest
from conftest import refused

from ari_desktop.core.addresses import check_server_address, is_server_address


@pytest.mark.parametrize("address", ["postgresql://ari@ward-server/ari", "postgres://ari@10.0.0.5:5433/ari",
                                     "postgresql://postgres@/ari?host=/tmp/socket&port=55432",
                                     "  postgresql://ari@ward-server/ari  "])
def test_a_server_address_is_accepted(address):
    assert check_server_address(address) == address.strip()


@pytest.mark.parametrize(("address", "said"), [
    ("", "Type the server's address"),
    ("ward.db", "is not a server address"),
    ("mysql://ari@host/ari", "is not a server address"),
    ("postgresql://ari:secret@ward-server/ari", "Leave the password out of the address"),
    ("postgresql://ari@ward-server", "Name the database"),
    ("postgresql://ari@ward-server:port/ari", "is not a number"),
    ("postgresql:///ari", "Name the server"),
])
def test_a_wrong_address_is_one_sentence(address, said):
    assert said in str(refused("address", check_server_address, address))


def test_a_file_name_is_not_a_server_address():
    assert not is_server_address("/home/nurse/ari.db") and is_server_address("PostgreSQL://h/db")
