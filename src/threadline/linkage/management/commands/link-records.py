"""`threadline link-records INPUT.csv --output OUTPUT.csv [--model PATH] [--backend ...]`:
group an agency extract's records into persons. Reads and writes files only; nothing is
saved in Threadline's database (`threadline import-people` does that)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from threadline.linkage.engine import (
    CsvError,
    link_records,
    load_model,
    read_records_csv,
    train,
    write_links_csv,
)


class Command(BaseCommand):
    help = (
        "Link the records of a CSV extract (record_id, source, nhs_number, first_name, "
        "surname, dob, sex, postcode, address) into persons and write record_id, person_id, "
        "match_probability to --output. Trains a model on the input unless --model is given. "
        "A bad file is reported row by row and no output is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="the extract, a UTF-8 CSV file")
        parser.add_argument("--output", type=Path, required=True, help="where to write")
        parser.add_argument("--model", type=Path, help="a saved model (default: train one)")
        parser.add_argument(
            "--save-model", type=Path, help="also save the model trained on this input here"
        )
        parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")

    def handle(self, *args, input: Path, output: Path, model, save_model, backend, **options):
        if not input.is_file():
            raise CommandError(f"No such file: {input}")
        if not output.parent.is_dir():
            raise CommandError(f"No such folder for the output: {output.parent}")
        try:
            records = read_records_csv(input)
        except CsvError as error:
            raise CommandError(f"{input}: {error}") from error
        started = time.monotonic()
        if model:
            try:
                linkage_model = load_model(model)
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"Cannot load the model {model}: {error}") from error
        else:
            linkage_model = train(records)
            if save_model:
                linkage_model.save(save_model)
        try:
            links = link_records(records, model=linkage_model, backend=backend)
        except ImportError as error:
            raise CommandError(f"The {backend} backend is not installed: {error}") from error
        write_links_csv(output, links)
        persons = len({person for _, person, _ in links})
        self.stdout.write(
            f"Linked {len(records)} records into {persons} persons with model "
            f"{linkage_model.version} ({backend}, {time.monotonic() - started:.1f} s); "
            f"wrote {output}."
        )
