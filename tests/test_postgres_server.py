"""The PostgreSQL server the team-mode tests run against is real: a throwaway cluster, one database per test."""

import psycopg


def test_each_test_gets_an_empty_database_of_its_own_on_a_real_server(server_database):
    with psycopg.connect(server_database) as connection:
        version = connection.execute("SHOW server_version_num").fetchone()[0]
        tables = connection.execute("SELECT count(*) FROM information_schema.tables"
                                    " WHERE table_schema = 'public'").fetchone()[0]
    assert int(version) >= 150000 and tables == 0
