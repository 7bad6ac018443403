"""Data contract: one pandera (polars) model per dataset, with header aliases and messages."""

import warnings

# pandera imports pyspark.pandas whenever pyspark is installed (the spark extra), and pyspark
# then warns that it does not support pandas 3; this project never uses pyspark.pandas.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
