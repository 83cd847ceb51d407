"""Languages: locale selection, CLDR language info, catalog workflow and checks, local formats."""
