import factory

from programs.models import Application, HouseholdTag, LifeStage, Program, RequiredDocument


class HouseholdTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdTag
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tag{n}")
    name_ko = factory.Sequence(lambda n: f"가구{n}")
    name_en = factory.Sequence(lambda n: f"Household {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"program-{n}")
    title_ko = factory.Sequence(lambda n: f"지원 사업 {n}")
    title_en = factory.Sequence(lambda n: f"Support program {n}")
    summary_ko = "광명시민을 위한 지원"
    summary_en = "Support for citizens"
    life_stage = LifeStage.PREGNANCY_BIRTH
    topic = Program.Topic.CASH
    support_kind = Program.SupportKind.CASH
    apply_method = Program.ApplyMethod.ONLINE
    office_ko = "여성가족과"
    office_phone = "02-2680-6716"
    status = Program.Status.PUBLISHED

    @factory.post_generation
    def household_tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.household_tags.set(extracted)


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    program = factory.SubFactory(ProgramFactory)
    name_ko = "가족관계증명서"
    name_en = "Family relations certificate"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    program = factory.SubFactory(ProgramFactory)
    single_per_person = True
