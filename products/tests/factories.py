import factory

from companies.tests.factories import CompanyFactory
from products.models import Item, Order, OrderLine, StockMovement


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"item-{n}")
    kind = Item.Kind.PHONE
    name = factory.Sequence(lambda n: f"Phone {n}")
    name_da = factory.Sequence(lambda n: f"Telefon {n}")
    price = 400000
    stock = 10
    delivery_days = 3

    @factory.post_generation
    def opening_balance(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        # The stock as a movement, so that Item.stock equals the sum of the item's movements in tests too.
        if create and obj.stock:
            StockMovement.objects.create(
                item=obj, delta=obj.stock, stock_after=obj.stock, reason=StockMovement.Reason.OPENING
            )


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    delivery_name = "Alfa ApS"
    delivery_street = "Vestergade 1"
    delivery_postcode = "8000"
    delivery_city = "Aarhus C"
    total = 400000
    vat = 100000

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            OrderLine.objects.create(order=obj, item=ItemFactory(), quantity=1, unit_price=400000)


URL_KWARGS = {
    "order_id": lambda company: OrderFactory(company=company).pk,
    # Staff only (the catalogue is the operator's): a customer gets 404 for every id.
    "item_id": lambda company: ItemFactory().pk,
}
