"""The search server is a real Elasticsearch: a document indexed is found by a search."""

import pytest
from elasticsearch import Elasticsearch

from tests.support import infra

pytestmark = pytest.mark.integration


def test_indexed_document_is_found(es: Elasticsearch) -> None:
    index = infra.unique("test-search-")
    try:
        es.index(
            index=index,
            id="91330282MA2H4B0X1N",
            document={"name": "慈溪市浒山印染有限公司", "town": "浒山", "kind": "enterprise"},
            refresh="wait_for",
        )
        es.index(
            index=index, id="other", document={"name": "宁波某电镀厂", "town": "观海卫"}, refresh="wait_for"
        )
        hits = es.search(index=index, query={"match": {"town": "浒山"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["91330282MA2H4B0X1N"]
        versions = {node["version"] for node in es.nodes.info()["nodes"].values()}
        assert versions == {"8.19.7"}
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
