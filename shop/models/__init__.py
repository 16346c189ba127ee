"""The data model: every table of the shop as a Peewee model, by area. Money is integer cents.

`from shop.models import Product` works for every model; ALL_MODELS lists them parents first.
"""
from .base import BaseModel, utcnow
from .catalog import Category, Guide, Product, Review
from .orders import (
    BalanceLedger,
    Booking,
    CartItem,
    JunglePlant,
    Order,
    OrderItem,
    Workshop,
)
from .people import Address, RateLimitHit, User, UserSession
from .system import CatalogueState, ContactMessage, EmailOutbox, SchemaMigration, StaffAction

ALL_MODELS = [
    User, UserSession, Category, Guide, Product, Review, CartItem, Order, OrderItem,
    EmailOutbox, Workshop, Booking, JunglePlant, RateLimitHit, BalanceLedger, SchemaMigration, StaffAction, Address,
    CatalogueState, ContactMessage,
]

__all__ = [model.__name__ for model in ALL_MODELS] + ["ALL_MODELS", "BaseModel", "utcnow"]
