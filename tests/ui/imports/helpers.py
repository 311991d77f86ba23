from sqlalchemy import select

from app.store.models import Contact

TIMEOUT_MS = 15_000


def phones(store, campaign_id):
    with store.session() as session:
        return sorted(
            session.scalars(select(Contact.phone).where(Contact.campaign_id == campaign_id))
        )
