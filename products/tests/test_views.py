"""The Products pages: basket to order, fixed query counts, clear refusals, staff fulfilment, images."""

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from products.models import Item, Order, ProductSettings
from products.tests.factories import ItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def company_a(personas):
    company = personas.company_a
    company.street, company.postcode, company.city = "Vestergade 1", "8000", "Aarhus C"
    company.save()
    return company


def test_basket_to_order_with_the_total_with_vat(personas, login, company_a):
    phone = ItemFactory(price=400000, stock=5)
    client = login(personas.admin_a)
    assert client.post(reverse("products:basket_add"), {"item": phone.pk, "quantity": 2}).status_code == 302
    page = client.get(reverse("products:basket")).content.decode()
    assert "DKK 8,000.00" in page and "DKK 10,000.00" in page  # excl. and incl. VAT
    response = client.post(reverse("products:basket"), {"deliver_to": "company", "billing": "one_off"})
    order = Order.objects.for_company(company_a).get()
    assert response.url == reverse("products:order_detail", kwargs={"order_id": order.pk})
    assert (order.total, order.delivery_street) == (800000, "Vestergade 1")
    assert client.get(reverse("products:basket")).content.decode().count('data-testid="basket-row"') == 0


def test_bad_input_is_refused_with_a_message_never_a_500(personas, login, company_a):
    phone = ItemFactory(stock=1)
    client = login(personas.admin_a)
    for data in (
        {"item": "x", "quantity": 1},
        {"item": phone.pk, "quantity": 0},
        {"item": phone.pk, "quantity": "lots"},
    ):
        assert client.post(reverse("products:basket_add"), data).status_code == 400
    assert client.post(reverse("products:basket_remove"), {"index": "nope"}).status_code == 302
    response = client.post(reverse("products:basket"), {"deliver_to": "company", "billing": "one_off"})
    assert response.status_code == 400 and "basket is empty" in response.content.decode()
    client.post(reverse("products:basket_add"), {"item": phone.pk, "quantity": 2})
    response = client.post(reverse("products:basket"), {"deliver_to": "company", "billing": "one_off"})
    assert response.status_code == 400 and "Not enough in stock" in response.content.decode()
    response = client.post(reverse("products:basket"), {"deliver_to": "other", "billing": "monthly"})
    assert response.status_code == 400
    response = client.post(reverse("products:settings"), {"approval_limit": "abc"})
    assert response.status_code == 400


def test_read_only_admins_see_the_catalogue_but_cannot_order(personas, login):
    ItemFactory(code="phone-x")
    client = login(personas.readonly_a)
    page = client.get(reverse("products:index")).content.decode()
    assert 'data-testid="item-phone-x"' in page and 'data-testid="add-phone-x"' not in page


@pytest.mark.parametrize("orders", [1, 10])
def test_the_order_list_and_detail_have_a_fixed_query_count(personas, login, django_assert_max_num_queries, orders):
    made = [OrderFactory(company=personas.company_a) for _ in range(orders)]
    client = login(personas.admin_a)
    client.get(reverse("products:order_list"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        assert client.get(reverse("products:order_list")).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("products:order_detail", kwargs={"order_id": made[-1].pk})).status_code == 200
    for _ in range(orders):
        ItemFactory()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("products:index")).status_code == 200


def test_the_approval_link_shows_a_page_and_only_a_post_decides(
    personas, login, company_a, client, django_capture_on_commit_callbacks
):
    ProductSettings.objects.create(company=company_a, approval_limit=100)
    phone = ItemFactory(stock=5)
    admin = login(personas.admin_a)
    admin.post(reverse("products:basket_add"), {"item": phone.pk, "quantity": 2})
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("products:basket"), {"deliver_to": "company", "billing": "one_off"})
    order = Order.objects.for_company(company_a).get()
    assert order.state == Order.State.HELD
    message = next(m for m in mail.outbox if m.to == [personas.admin_ab.email])
    url = next(word for word in message.body.split() if "/products/approve/" in word)
    path = url[url.index("/products/") :]
    assert client.get(path).status_code == 200  # a scanner's GET changes nothing
    order.refresh_from_db()
    assert order.state == Order.State.HELD
    assert client.post(path, {"decision": "maybe"}).status_code == 400
    done = client.post(path, {"decision": "approve"})
    assert 'data-testid="decision-done"' in done.content.decode()
    order.refresh_from_db()
    assert (order.state, order.decided_by) == (Order.State.ACKNOWLEDGED, personas.admin_ab)
    assert client.post(path, {"decision": "refuse"}).status_code == 409
    assert client.get("/products/approve/forged/").status_code == 404


def test_staff_fulfil_from_the_queue_and_customers_get_404(personas, login):
    order = OrderFactory(company=personas.company_a)
    staff = login(personas.staff)
    assert order.reference in staff.get(reverse("products:staff_queue")).content.decode()
    url = reverse("products:staff_order", kwargs={"order_id": order.pk})
    staff.post(url, {"action": "pick"})
    line = order.lines.get()
    response = staff.post(
        url, {"action": "ship", f"qty_{line.pk}": 1, "carrier": "PostNord", "tracking_number": "", "tracking_url": ""}
    )
    assert response.status_code == 400 and "tracking" in response.content.decode()
    staff.post(
        url,
        {
            "action": "ship",
            f"qty_{line.pk}": 1,
            "carrier": "PostNord",
            "tracking_number": "00123",
            "tracking_url": "https://t.example/00123",
        },
    )
    staff.post(url, {"action": "complete"})
    order.refresh_from_db()
    assert order.state == Order.State.COMPLETED
    customer_page = (
        login(personas.admin_a).get(reverse("products:order_detail", kwargs={"order_id": order.pk})).content.decode()
    )
    assert "https://t.example/00123" in customer_page
    assert login(personas.admin_a).get(url).status_code == 404
    assert staff.post(url, {"action": "nonsense"}).status_code == 302


def test_staff_keep_the_catalogue_with_checked_images_served_safely(personas, login):
    staff = login(personas.staff)
    data = {
        "code": "pixel-9",
        "kind": "phone",
        "name": "Pixel 9",
        "name_da": "Pixel 9",
        "description": "",
        "description_da": "",
        "price": "4.999,00",
        "stock": 4,
        "delivery_days": 2,
        "is_active": "on",
        "sort_order": 10,
    }
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = staff.post(reverse("products:staff_item_new"), {**data, "image": fake})
    assert response.status_code == 400 and "PNG or JPEG" in response.content.decode()
    html_as_png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n<html>", content_type="image/png")
    assert staff.post(reverse("products:staff_item_new"), {**data, "image": html_as_png}).status_code == 400
    good = SimpleUploadedFile("photo.exe", _png(), content_type="application/octet-stream")
    assert staff.post(reverse("products:staff_item_new"), {**data, "image": good}).status_code == 302
    item = Item.objects.get(code="pixel-9")
    assert item.price == 499900 and item.image_type == "image/png" and item.image.name.endswith(".png")
    assert "photo" not in item.image.name
    image = login(personas.admin_a).get(reverse("products:media:image", kwargs={"item_id": item.pk}))
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert b"".join(image.streaming_content) == _png()
    assert login(personas.admin_a).get(reverse("products:staff_catalogue")).status_code == 404


def test_images_need_a_sign_in(client):
    item = ItemFactory()
    assert client.get(reverse("products:media:image", kwargs={"item_id": item.pk})).status_code == 302


def test_the_company_sets_its_rules(personas, login):
    client = login(personas.admin_a)
    response = client.post(
        reverse("products:settings"),
        {
            "approval_limit": "5000",
            "approve_phones": "on",
            "zero_touch_provider": "knox",
            "zero_touch_org_id": "KNOX-42",
        },
    )
    assert response.status_code == 302
    saved = ProductSettings.objects.for_company(personas.company_a).get()
    assert (saved.approval_limit, saved.approve_phones, saved.zero_touch_org_id) == (500000, True, "KNOX-42")
    assert client.post(reverse("products:settings"), {"zero_touch_provider": "knox"}).status_code == 400


def test_the_company_chooses_what_employees_may_ask_for(personas, login):
    client = login(personas.admin_a)
    data = {"employees_may_request": "on", "employee_kinds": ["accessory", "phone"]}
    assert client.post(reverse("products:settings"), data).status_code == 302
    saved = ProductSettings.objects.for_company(personas.company_a).get()
    assert (saved.employees_may_request, saved.employee_kinds) == (True, ["phone", "accessory"])
    audit = AuditEvent.objects.for_company(personas.company_a).get(action="products.settings_saved")
    assert audit.details["employee_kinds"] == ["phone", "accessory"]
    # An unknown kind is a form error, nothing saved; unticking the switch turns employees' requests off.
    assert client.post(reverse("products:settings"), {"employee_kinds": ["spaceship"]}).status_code == 400
    assert client.post(reverse("products:settings"), {"employee_kinds": ["phone"]}).status_code == 302
    saved.refresh_from_db()
    assert (saved.employees_may_request, saved.employee_kinds) == (False, ["phone"])


def test_the_danish_pages_read_danish(personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    ItemFactory(name="Phone", name_da="Telefon med lader", price=123450)
    page = login(personas.admin_a).get(reverse("products:index"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Telefon med lader" in page and "1.234,50 kr." in page


def test_the_overview_counts_orders_on_their_way_and_awaiting_approval(personas, login):
    OrderFactory(company=personas.company_a)
    OrderFactory(company=personas.company_a, state=Order.State.HELD)
    OrderFactory(company=personas.company_b)
    page = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    section = page[page.index('data-testid="products-section"') :]
    assert '<a href="/products/orders/">2</a>' in section
    assert (
        'data-testid="products-section"'
        not in login(personas.invoice_only_a).get(reverse("portal:overview")).content.decode()
    )


@pytest.mark.parametrize(
    "typed, ore", [("5000", 500000), ("5.000", 500000), ("5.000,50", 500050), ("1234.50", 123450), ("1 234,5", 123450)]
)
def test_amounts_are_typed_in_kroner_either_way(typed, ore):
    from products.forms import SettingsForm

    form = SettingsForm({"approval_limit": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["approval_limit"] == ore


@pytest.mark.parametrize("orders", [1, 10])
def test_the_staff_queue_and_the_basket_have_a_fixed_query_count(
    personas, login, django_assert_max_num_queries, orders
):
    items = [ItemFactory() for _ in range(orders)]
    for _ in range(orders):
        OrderFactory(company=personas.company_a)
    staff = login(personas.staff)
    staff.get(reverse("products:staff_queue"))
    with django_assert_max_num_queries(8):
        assert staff.get(reverse("products:staff_queue")).status_code == 200
    admin = login(personas.admin_a)
    for item in items:
        admin.post(reverse("products:basket_add"), {"item": item.pk, "quantity": 1})
    with django_assert_max_num_queries(14):
        page = admin.get(reverse("products:basket"))
    assert page.content.decode().count('data-testid="basket-row"') == orders


def _shipped_order(personas, lines: int) -> Order:
    from audit.actor import Actor
    from products import actions

    staff = Actor.system("staff")
    wanted = [actions.WantedLine(item_id=ItemFactory(stock=5).pk, quantity=2) for _ in range(lines)]
    delivery = actions.Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")
    order = actions.place_order(
        company=personas.company_a, lines=wanted, delivery=delivery, billing="one_off", by=staff
    )
    actions.pick_order(order=order, by=staff)
    parcel = {"carrier": "GLS", "tracking_number": "1", "tracking_url": "https://t.example/1"}
    for line in order.lines.all():
        actions.ship_order(order=order, quantities={line.pk: 1}, by=staff, **parcel)
        actions.request_return(order=order, line_id=line.pk, quantity=1, reason="Broken", by=staff)
    return order


def test_a_shipped_order_with_returns_has_the_same_query_count_for_1_and_4_lines(personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for lines in (1, 4):
        order = _shipped_order(personas, lines)
        for client, name in (
            (login(personas.admin_a), "products:order_detail"),
            (login(personas.staff), "products:staff_order"),
        ):
            client.get(reverse(name, kwargs={"order_id": order.pk}))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name, kwargs={"order_id": order.pk})).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge picture (a decompression bomb's signature)."""
    import struct
    import zlib

    data = _png()
    ihdr = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + ihdr
    return data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]


def test_an_image_claiming_a_huge_size_is_refused_with_a_message(personas, login):
    from products.forms import validate_image

    bomb = SimpleUploadedFile("bomb.png", _png_claiming(100_000, 100_000), content_type="image/png")
    with pytest.raises(ValidationError, match="could not be read"):
        validate_image(bomb)
