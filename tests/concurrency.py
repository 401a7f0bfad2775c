import threading

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.fields import Command
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import TransactionCase


class ConcurrencyCase(TransactionCase):
    """Agents acting at once, each in their own transaction and thread: what they act
    on is committed (a test's own transaction is invisible to the others)."""

    def _committed(self, func):
        """Run func(env) as superuser in a transaction of its own, committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            result = func(env)
            # Committed: the agents' transactions see it, not the test's own.
            cr.commit()  # pylint: disable=invalid-commit
            return result

    def _at_once(self, calls):
        """Run each (uid, call) in its own thread, cursor and environment; each call
        gets a barrier to wait at before its decisive step, so that all take it at
        once. A concurrency failure is retried once, in a new transaction, as Odoo
        retries a request (odoo.service.model.retrying). Returns each call's result
        or exception, and which calls were retried."""
        barrier = threading.Barrier(len(calls), timeout=120)
        results = [None] * len(calls)
        retried = []

        def run(index, uid, call):
            for attempt in range(2):
                with self.registry.cursor() as cr:
                    # The registry given: finding it by name takes the registry lock,
                    # which the test runner holds while the tests run.
                    cr.transaction = Transaction(self.registry)
                    env = api.Environment(cr, uid, {})
                    try:
                        results[index] = call(env, barrier if not attempt else None)
                        # Committed, as the agent's request ends: the others see it.
                        cr.commit()  # pylint: disable=invalid-commit
                        return
                    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                        cr.rollback()
                        retried.append(index)
                        results[index] = exc
                    except Exception as exc:  # noqa: BLE001 - reported to the test
                        cr.rollback()
                        results[index] = exc
                        if not attempt and not barrier.broken:
                            barrier.abort()  # a failure before the barrier
                        return

        threads = [
            threading.Thread(target=run, args=(index, uid, call))
            for index, (uid, call) in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        return results, retried

    def _race_tickets(self, env, name, service, agents, customer, description):
        """One ticket of ``customer`` per agent, in a team of those agents that offers
        ``service`` (the team's switch): where each agent acts in the race."""
        team = env["helpdesk.ticket.team"].create(
            {"name": name, service: True, "user_ids": [Command.set(agents.ids)]}
        )
        return env["helpdesk.ticket"].create(
            [
                {
                    "name": f"{name} {index}",
                    "description": description,
                    "team_id": team.id,
                    "partner_id": customer.id,
                }
                for index in range(len(agents))
            ]
        )
