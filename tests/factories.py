import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from budget.models import Budget, Category, Resolution
from budget.roles import sync_roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            if not Group.objects.filter(name=extracted).exists():
                # A transactional test (live server, race) flushed what migration 0002 created.
                sync_roles(Group, Permission)
            self.groups.add(Group.objects.get(name=extracted))


class ResolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resolution

    number = factory.Sequence(lambda n: n + 100)
    year = 2023
    title = factory.Sequence(lambda n: f"Beschluss {n}")
    decided_on = datetime.date(2023, 11, 24)
    outcome = Resolution.Outcome.PASSED_WITH_ADDENDUM
    votes_for = 11
    votes_against = 0
    votes_abstained = 1
    text = "Der Landesvorstand beschließt …"
    responsible = "LGF"


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    resolution = factory.SubFactory(ResolutionFactory)
    name = factory.Sequence(lambda n: f"Budget {n}")
    cap = Decimal("2500.00")
    starts_on = datetime.date(2023, 11, 24)
    ends_on = None


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    budget = factory.SubFactory(BudgetFactory)
    name = factory.Sequence(lambda n: f"Kategorie {n}")
    order = factory.Sequence(lambda n: n)
