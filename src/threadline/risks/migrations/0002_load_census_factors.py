from django.db import migrations

from threadline.risks.factors import load_factors


def load(apps, schema_editor):
    load_factors(apps.get_model("risks", "Factor"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
