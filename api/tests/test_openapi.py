"""The OpenAPI document and the interactive docs, served from our own static files."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_serves_an_openapi_3_1_document():
    response = Client().get("/tmf-api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert "/tmf-api/productInventory/v4/product" in document["paths"]
    assert "/tmf-api/troubleTicket/v4/troubleTicket/{ticket_id}/note" in document["paths"]
    assert document["components"]["securitySchemes"]


def test_the_docs_page_loads_only_local_scripts_with_the_csp_nonce():
    response = Client().get("/tmf-api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"[^>]*>", html)
    assert scripts and all(src.startswith("/static/ninja/") for src in scripts)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert html.count(f'nonce="{nonce}"') == len(scripts)
    assert "cdn" not in html.lower()
