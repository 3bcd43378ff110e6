"""The Spark backend: the same model, run by Splink on Spark (local mode by default).

For national-scale batches. Needs Java 17+ and `pip install -e ".[spark]"`; set
THREADLINE_SPARK_MASTER (e.g. spark://host:7077) to use a cluster instead of local[*].
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any


def spark_unavailable_reason() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java is not installed (Spark needs Java 17+)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return 'pyspark is not installed (pip install -e ".[spark]")'
    return None


def spark_session() -> Any:
    import sys

    from pyspark.sql import SparkSession

    # Spark's Python workers must run the driver's Python (3.12), not the system's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from splink.backends.spark import similarity_jar_location

    master = os.environ.get("THREADLINE_SPARK_MASTER", "local[*]")
    return (
        SparkSession.builder.master(master)
        .appName("threadline-link-records")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("THREADLINE_SPARK_PARTITIONS", "8"))
        .config("spark.default.parallelism", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("THREADLINE_SPARK_DRIVER_MEMORY", "4g"))
        .getOrCreate()
    )


def spark_db_api() -> Any:
    reason = spark_unavailable_reason()
    if reason:
        raise ImportError(reason)
    from splink import SparkAPI

    session = spark_session()
    checkpoints = os.environ.get("THREADLINE_SPARK_CHECKPOINTS") or tempfile.gettempdir()
    session.sparkContext.setCheckpointDir(checkpoints)
    return SparkAPI(spark_session=session)


def spark_frame(session: Any, table: Any) -> Any:
    """A Spark DataFrame of an Arrow table of prepared columns (all strings)."""
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(name, StringType(), True) for name in table.column_names])
    rows = list(zip(*(table.column(name).to_pylist() for name in table.column_names), strict=True))
    return session.createDataFrame(rows, schema=schema)
