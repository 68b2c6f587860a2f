"""Runs the official EN 16931 and Peppol BIS 3 rules over the latest invoices and credit notes and prints
the figures (documents, rules, errors, warnings per rule); exits 1 on any failure."""

import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from invoicing import einvoice_rules
from invoicing.models import Invoice
from invoicing.ubl import document_kind, invoice_xml


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=200, help="How many of the latest documents (default 200).")

    def handle(self, *args: Any, **options: Any) -> None:
        if einvoice_rules.runtime() is None:
            raise CommandError("No XSLT 2.0 runtime: pip install saxonche, or apt-get install libsaxonhe-java.")
        invoices = list(
            Invoice.objects.unscoped()
            .select_related("company", "credited_invoice")
            .order_by("-number")[: options["limit"]]
        )
        documents = {str(invoice.number): invoice_xml(invoice) for invoice in invoices}
        kinds = Counter(document_kind(invoice) for invoice in invoices)
        started = time.perf_counter()
        results = einvoice_rules.validate_many(documents)
        elapsed = time.perf_counter() - started
        per_rule = Counter((failure.flag, failure.rule) for found in results.values() for failure in found)
        rules = einvoice_rules.count_rules()
        self.stdout.write(f"documents: {len(documents)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
        self.stdout.write("rules: " + ", ".join(f"{name}: {count} assertions" for name, count in rules.items()))
        self.stdout.write(f"runtime: {einvoice_rules.runtime()}, {elapsed:.1f} s")
        self.stdout.write(
            f"fatal: {sum(n for (flag, _r), n in per_rule.items() if flag == 'fatal')}, "
            f"warnings: {sum(n for (flag, _r), n in per_rule.items() if flag != 'fatal')}"
        )
        for (flag, rule), count in per_rule.most_common():
            self.stdout.write(f"  {flag} {rule}: {count}")
        if per_rule:
            raise SystemExit(1)
