# Shared definitions of the preprocessing variants (rules in variants.smk).

VARIANTS = SETTINGS["variants"]  # seisclass.data.variants.VariantsParameters
# The report section of the comparison: it exists only in runs with variants configured (so it is
# named here, not among the literal categories every run renders).
VARIANTS_CATEGORY = "9. Preprocessing variants"


def variant_sections(wildcards):
    """The variant's merged config sections preprocess, windows, features (plain dicts)."""
    from seisclass.data.variants import merged_config

    return merged_config(config, VARIANTS.get(wildcards.variant))


def variant_chunks():
    """Every chunk: raw file, station-days and StationXML files."""
    return [{"id": c.id, "raw": f"results/raw/{c.source}/{c.id}.mseed", "members": members_of(c.id),
             "inventories": [stationxml_path(s) for s in c.stations if s in plan().stationxml]}
            for c in plan().chunks.values()]


def all_annotation_files():
    """The annotation files of every chunk (user CSVs, the demo's, the catalogue's)."""
    files = list(ANNOTATIONS)
    files += [f"results/raw/demo/{c.id}.annotations.csv" for c in plan().chunks.values() if c.source == "demo"]
    if config["catalogue"]["enabled"]:
        files.append("results/labels/catalogue/annotations.csv")
    return files
