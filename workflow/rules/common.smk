# Shared definitions: the plan of work (stations and chunks), input functions, paths and
# the workflow's targets (one function, all_targets, read by the default rule).
#
# A chunk is the unit of work of every per-data job: one station-day of a continuous
# archive (demo, fdsn, sds), or several station-days of a miniSEED directory packed up to
# a sample budget (seisclass.acquire.planning). Its id, "{station}/{day}" or
# "{station}/{day}+{n}", is the {chunk} wildcard, so per-chunk files of continuous
# archives keep the layout results/<stage>/{station}/{day}.<ext>.
import copy
import os
import types

import pandas as pd
from snakemake.exceptions import WorkflowError

import _bootstrap  # workflow/scripts: rebuilds typed params inside jobs (see portable_params)
from seisclass.acquire.archives import directory_key, directory_signature
from seisclass.acquire.planning import add_mseed_dirs, continuous_plan, mseed_dir_of, mseed_directories
from seisclass.acquire.stations import day_chunks, read_station_table
from seisclass.core.vocabulary import DEEP_MODELS, FOREST, SPLITS
from seisclass.signal.recipe import Recipe


# Memory of the rules whose peak grows with the data, from the size of their input: measured by `make bench`
# (benchmarks/rule_memory.py, results/bench/rule_memory.json: peak RSS on synthetic studies of one week, two
# weeks and a station-month, least squares `a + b x windows + c x fitted windows`), windows counted from the
# input's size (the dataset file holds about WINDOWS_PER_INPUT_MB windows per MB), fitted windows bounded by
# random_forest.max_training_windows; requests carry 1.5x head-room.
# {rule: (a MB, b MB per million windows, c MB per million fitted windows, fitted windows per window)}.
# Measured for issue 21 (2 shared cores, rule_memory.json): dataset 427 + 377/M windows (out of core; in memory it was
# 294 + 1223/M), forest 460 + 194/M + 1140/M fitted with 2 trees, cross-validation 320 + 1911/M (the table
# is held), deep_inputs 307 + 496/M, explore about 12 GB/M (one point, 121k windows: 1.78 GB). c adds the
# nodes of 300 trees at 0.1 node per fitted window (synthetic rows give fewer; the shipped real-dev forest
# has 0.04 with min_samples_leaf 3), 88 bytes each: 2520 MB per million fitted windows.
WINDOWS_PER_INPUT_MB = 1890
MEMORY_LAWS = {
    "dataset": (430, 380, 0, 0),
    "train_random_forest": (460, 200, 3660, 0.8),
    "final_random_forest": (460, 200, 3660, 1.0),
    "cross_validate_random_forest": (320, 1910, 3660, 0.72),
    "deep_inputs": (310, 500, 0, 0),
    "explore": (300, 12200, 0, 0),
}


def measured_mem_mb(rule, of=None):
    """``mem_mb`` of ``rule`` (:data:`MEMORY_LAWS`) for the size of its input ``of`` (a named input; all of them by
    default), evaluated when the job is ready to run (a dry run shows <TBD> before the input exists)."""
    a, b, c, fitted_fraction = MEMORY_LAWS[rule]
    bound = SETTINGS["random_forest"].max_training_windows

    def mem_mb(wildcards, input):
        windows = WINDOWS_PER_INPUT_MB * (os.path.getsize(input[of]) / 2**20 if of else input.size_mb)
        fitted = fitted_fraction * windows if bound is None else min(fitted_fraction * windows, bound)
        return int(1.5 * (a + (b * windows + c * fitted) / 1e6))

    return mem_mb


def annotation_csvs():
    """``annotations`` as a list of paths (a single string, e.g. from ``--config``, is one path).

    Every file must exist: no rule writes them, so a file that disappeared would otherwise
    leave a finished run "up to date" with labels from a file that is gone (Snakemake only
    checks the inputs of jobs it runs). Checked at parse time, for every command.
    """
    value = config["annotations"] or []
    paths = [value] if isinstance(value, str) else list(value)
    missing = [str(path) for path in paths if not os.path.isfile(path)]
    if missing:
        raise WorkflowError(
            f"Invalid configuration: annotations: file(s) {missing} not found (relative paths start in the "
            f"working directory {os.getcwd()!r}); fix the path, or remove the entry from annotations "
            "(the labels of a finished run would otherwise come from a file that is gone)")
    return paths


TABLE_STATIONS = {s.id: s for s in (read_station_table(config["stations"]) if config["stations"] else [])}
DAYS = day_chunks(config["start"], config["end"])
ANNOTATIONS = annotation_csvs()
CLASSES = list(SETTINGS["study"].classes)
STUDY = SETTINGS["study"]
RECIPE = Recipe.from_settings(SETTINGS)  # how a raw station-day becomes windows and features
# Directories of miniSEED files, by a short key naming their index files.
MSEED_DIRS = {directory_key(d): d for d in mseed_directories(TABLE_STATIONS, config["mseed_dir"])}
CONTINUOUS_PLAN = continuous_plan(TABLE_STATIONS, DAYS, config["fdsn"]["provider"], bool(config["stationxml"]))
# Earthquakes of the demo are shared by all demo stations, placed around their centre.
DEMO_STATIONS = [s for s in TABLE_STATIONS.values() if s.source == "demo"]
DEMO_CENTER = [sum(s.latitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1),
               sum(s.longitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1)]
CONDA_CORE = "../../envs/core.yaml"
CONDA_ML = "../../envs/ml.yaml"
CONDA_DEEP = "../../envs/deep.yaml"
MODEL_FILES = {FOREST: "results/models/rf.skops", **{m: f"results/models/{m}.pt" for m in DEEP_MODELS}}
_PLANS = {}


def plan():
    """The plan of all stations and chunks.

    Continuous archives are planned from the config alone; miniSEED directories from
    their header index, built by the checkpoint ``mseed_dir_index`` (so a call first
    makes Snakemake run the index jobs, then re-evaluates the DAG).
    """
    if not MSEED_DIRS:
        return CONTINUOUS_PLAN
    paths = {MSEED_DIRS[k]: checkpoints.mseed_dir_index.get(key=k).output.index for k in sorted(MSEED_DIRS)}
    stamp = tuple((p, os.path.getmtime(p)) for p in paths.values())
    if stamp not in _PLANS:
        _PLANS.clear()
        _PLANS[stamp] = add_mseed_dirs(
            copy.deepcopy(CONTINUOUS_PLAN), {d: pd.read_parquet(p) for d, p in paths.items()},
            config["mseed_dir"], config["start"], config["end"], config["work"]["max_samples_per_job"],
            bool(config["stationxml"]))
    return _PLANS[stamp]


def plan_of(chunk):
    """The plan holding ``chunk``: continuous chunks need no miniSEED-directory index (no checkpoint)."""
    return CONTINUOUS_PLAN if chunk in CONTINUOUS_PLAN.chunks else plan()


def chunk_of(wildcards):
    """The Chunk of a {chunk} wildcard, or a clear error naming it."""
    chunks = plan_of(wildcards.chunk).chunks
    if wildcards.chunk not in chunks:
        raise ValueError(f"unknown chunk {wildcards.chunk!r}: no station-day of the station table or the miniSEED "
                         f"directory index has this id (chunk ids are STATION_ID/YYYY-MM-DD, +N for packed "
                         f"days); stations: {sorted(plan().stations)}")
    return chunks[wildcards.chunk]


def chunks(pattern):
    """Input function: ``pattern`` (with ``{chunk}``) expanded over every chunk."""
    return lambda wildcards: [pattern.format(chunk=c) for c in plan().chunks]


def single_day_chunks(pattern):
    """Input function: ``pattern`` over the chunks of exactly one station-day (continuous data)."""
    return lambda wildcards: [pattern.format(chunk=c) for c in plan().single_day_chunks()]


def raw_chunk(wildcards):
    """Raw chunk file of a {chunk}, written by the rule of its source."""
    return f"results/raw/{chunk_of(wildcards).source}/{wildcards.chunk}.mseed"


def members(wildcards):
    """The station-days of a {chunk} (seisclass.core.records.StationDay)."""
    chunk_of(wildcards)  # a clear error for an unknown chunk
    return plan_of(wildcards.chunk).records(wildcards.chunk, config["start"], config["end"])


def chunk_stations(wildcards):
    """The station table rows (seisclass.acquire.stations.Station) of a {chunk}, by station id."""
    return {s: plan_of(wildcards.chunk).stations[s] for s in chunk_of(wildcards).stations}


def member_stations(wildcards):
    """Station ids of a chunk."""
    return chunk_of(wildcards).stations


def plan_index(wildcards):
    """The miniSEED-directory indexes the plan of a {chunk} is made of (checkpoint outputs; none for continuous data).

    An input of each per-chunk rule whose params read the plan (``members``), so that a
    per-chunk target typed on the command line (``results/features/XX.STA/2024-03-01.parquet``)
    plans the index first instead of stopping with "Rule parameter depends on checkpoint".
    """
    if wildcards.chunk in CONTINUOUS_PLAN.chunks:
        return []
    return [f"results/raw/mseed_dir/index/{key}.parquet" for key in sorted(MSEED_DIRS)]


def mseed_dir_index_files(wildcards):
    """Index files of the miniSEED directories a chunk reads."""
    directories = {mseed_dir_of(plan().stations[s], config["mseed_dir"]) for s in chunk_of(wildcards).stations}
    return [f"results/raw/mseed_dir/index/{directory_key(d)}.parquet" for d in sorted(directories)]


def station_inventories(wildcards):
    """StationXML of the chunk's stations that have one (fdsn, or sds/mseed_dir with StationXML configured)."""
    return [stationxml_path(s) for s in chunk_of(wildcards).stations if s in plan().stationxml]


def stationxml_path(station):
    """Where the StationXML of a station is written."""
    return f"results/raw/{plan().stations[station].source}/{station}/station.xml"


def all_annotation_files():
    """The annotation files of every chunk (user CSVs, the demo's, the catalogue's)."""
    files = list(ANNOTATIONS)
    files += [f"results/raw/demo/{c.id}.annotations.csv" for c in plan().chunks.values() if c.source == "demo"]
    if SETTINGS["catalogue"].enabled:
        files.append("results/labels/catalogue/annotations.csv")
    return files


def annotation_files(wildcards):
    """User annotation CSVs plus the generator's (demo chunks) and the catalogue's (if enabled)."""
    files = list(ANNOTATIONS)
    if chunk_of(wildcards).source == "demo":
        files.append(f"results/raw/demo/{wildcards.chunk}.annotations.csv")
    if config["catalogue"]["enabled"]:
        files.append("results/labels/catalogue/annotations.csv")
    return files


def station_day_chunks():
    """``{station}/{day}`` -> the chunk holding that station-day."""
    return {f"{s}/{d}": c for s, d, c in plan().station_days()}


def waveform_files(wildcards):
    """``{station}/{day}`` -> preprocessed chunk file holding that station-day (for cutting windows)."""
    return {f"{s}/{d}": f"results/preprocessed/{c}.mseed" for s, d, c in plan().station_days()}


def applied_model(wildcards):
    """Model file behind {applied}: a model of this run, or the saved one for `classify`."""
    if wildcards.applied == "classify":
        return config["classify"]["model"]  # checked at parse time: never a file training writes
    return MODEL_FILES[wildcards.applied]


_CLASSIFY = {}


def run_recipe(run):
    """The recipe of a classification run: the saved model's for `classify`, the study's otherwise."""
    return classify_recipe() if run == "classify" else RECIPE


def classify_recipe():
    """The recipe of the saved model of `snakemake classify`, from its card (read once).

    Preprocessing, windows, features and context come from the model; a key the
    configuration sets to another value than the card's stops the run before any job,
    naming the key and both values.
    """
    if "recipe" not in _CLASSIFY:
        from seisclass.learn.errors import ModelFileError
        from seisclass.learn.loading import load_classifier
        from seisclass.signal.recipe import NOT_COMPARED

        path = config["classify"]["model"]
        if not os.path.isfile(path):
            raise WorkflowError(f"classify.model: model file {path!r} not found (relative paths start in the "
                                f"working directory {os.getcwd()!r}); copy a trained model there, e.g. "
                                "resources/models/real_dev.skops")
        try:
            model = load_classifier(path, device="cpu")
        except ModelFileError as error:  # a pickle, a damaged file: refused before any job, never run
            raise WorkflowError(f"classify.model: {error}") from None
        card = model.recipe.to_card()
        clashes = [f"{section}.{key}: model {card[section][key]!r}, configuration {value!r}"
                   for section in card for key, value in (GIVEN_CONFIG.get(section) or {}).items()
                   if key in card[section] and f"{section}.{key}" not in NOT_COMPARED
                   and not same(card[section][key], value)]
        if clashes:
            raise WorkflowError(f"classify.model {path}: the configuration contradicts the model card: "
                                + "; ".join(clashes) + ". Remove these keys (`snakemake classify` takes the "
                                "model's recipe) or use a model trained with them")
        _CLASSIFY["recipe"] = Recipe(model.recipe.preprocess, model.recipe.windows,
                                     model.recipe.features or RECIPE.features, model.recipe.context or RECIPE.context)
    return _CLASSIFY["recipe"]


def same(a, b):
    from seisclass.signal.recipe import same as equal

    return equal(a, b)


def applied_recipe(wildcards):
    """The recipe of {applied}: the configuration's, or the saved model's for `classify`."""
    return run_recipe(wildcards.applied)


def applied_path(rule_output):
    """Input function: a chunk file of the configuration's recipe, or of the saved model's for `classify`
    (its own results/classify/... files when its recipe differs)."""

    def path(wildcards):
        own = getattr(wildcards, "applied", None) == "classify" or getattr(wildcards, "run", None) == "classify"
        name = rule_output["classify" if own and classify_recipe() != RECIPE else "base"]
        return name.format(chunk=wildcards.chunk)

    return path


def waveforms_for_deep(wildcards):
    """Deep models (.pt) read the chunk's waveforms; the forest (.skops) only its features."""
    if not applied_model(wildcards).endswith(".pt"):
        return []
    return applied_path(PREPROCESSED)(wildcards)


def station_coordinates():
    """Station id -> (latitude, longitude) of the stations whose coordinates are known (degrees)."""
    import math

    return {sid: (s.latitude, s.longitude) for sid, s in plan().stations.items()
            if math.isfinite(s.latitude) and math.isfinite(s.longitude)}


def chunk_days():
    """Preprocessed chunk file -> its station-days, for every chunk (jobs that read all waveforms)."""
    return {rules.preprocess.output.waveforms.format(chunk=c): plan().records(c, config["start"], config["end"])
            for c in plan().chunks}


def availability_chunks():
    """Raw file, status file (none for the demo) and station-days of every chunk."""
    return [{"raw": f"results/raw/{c.source}/{c.id}.mseed",
             "status": None if c.source == "demo" else f"results/raw/{c.source}/{c.id}.status.json",
             "days": plan().records(c.id, config["start"], config["end"])}
            for c in plan().chunks.values()]


def all_targets(wildcards):
    """Every final output of the workflow, stage by stage."""
    return [
        "results/headline.html",
        # acquire
        "results/availability/availability.tsv", "results/plots/availability.png",
        # features, labels, dataset
        "results/features/feature_table.tsv", "results/features/features.parquet",
        "results/dataset/class_counts.tsv", "results/plots/class_examples.png",
        "results/plots/features_by_class.png",
        *single_day_chunks("results/plots/timeline/{chunk}.png")(wildcards),
        # random forest
        MODEL_FILES[FOREST], "results/metrics/rf.json", "results/metrics/rf_cv.json", "results/plots/rf_confusion.png",
        "results/metrics/events.json", "results/plots/rf_reliability.png",
        "results/plots/rf_recall_snr.png", "results/plots/rf_precision_recall.png", "results/plots/rf_misclassified.png",
        # deep models and the comparison
        *[MODEL_FILES[m] for m in DEEP_MODELS], *[f"results/metrics/{m}.json" for m in DEEP_MODELS],
        *[f"results/plots/{m}_training.png" for m in DEEP_MODELS],
        "results/metrics/model_comparison.tsv", "results/benchmarks/model_comparison.png",
        # explanations
        *[f"results/explain/rf_shap_{name}" for name in ("values.parquet", "importance.tsv",
          "group_importance.tsv", "summary.tsv", "beeswarm.png", "dependence.png", "groups.png")],
        *[f"results/explain/{m}_shap_time.png" for m in DEEP_MODELS],
        # exploration
        *[f"results/explore/{name}" for name in ("embedding.parquet", "stability.json", "hypotheses.tsv",
          "feature_groups.tsv", "embedding_labels.png", "embedding_clusters.png", "stability.png",
          "label_agreement.png", "correlation.png")],
        # confound checks, station reliability, preprocessing variants (when configured)
        "results/explore/confounds.tsv", "results/explore/confounds.png",
        "results/quality/stations.tsv", "results/quality/ppsd.png",
        *([f"results/variants/{name}" for name in ("comparison.tsv", "comparison.png", "spectra.png")]
          if VARIANTS.alternatives else []),
        # active learning, detections
        "results/active_learning/candidates.csv", "results/active_learning/thumbnails.png",
        "results/active_learning/labelling.html",
        *([f"results/active_learning/{name}" for name in ("curve.tsv", "summary.tsv", "curve.png",
          "learning_curve.tsv", "learning_curve.png")] if SETTINGS["active_learning"].simulation.enabled else []),
        "results/detections/segments.csv", "results/detections/events.csv",
        "results/detections/network_events.csv", "results/detections/events.xml",
        *single_day_chunks("results/plots/detections/{chunk}.png")(wildcards),
        "results/plots/detections/catalogue.png", "results/plots/detections/event_examples.png",
    ]


# --------------------------------------------------------------- preprocessing variants (variants.smk)

VARIANTS = SETTINGS["variants"]  # seisclass.data.variants.VariantsParameters
# The report section of the comparison: it exists only in runs with variants configured (so it is
# named here, not among the literal categories every run renders).
VARIANTS_CATEGORY = "9. Preprocessing variants"
VARIANT_DIR = "results/variants/{variant}"


def variant_recipe(wildcards):
    """The recipe of a variant: the base settings with the variant's overrides."""
    from seisclass.data.variants import merged_settings

    return Recipe.from_settings(merged_settings(SETTINGS, VARIANTS.get(wildcards.variant)))


def variant_preprocessed(name):
    """Input function: the variant's own preprocessed chunk, or the base run's when it keeps preprocess."""

    def chosen(wildcards):
        own = VARIANTS.get(wildcards.variant).preprocess
        path = rules.variant_preprocess.output[name] if own else rules.preprocess.output[name]
        return path.format(variant=wildcards.variant, chunk=wildcards.chunk)

    return chosen


def variant_chunks(pattern):
    """Input function: a variant's per-chunk ``pattern`` over every chunk."""
    return lambda w: [pattern.format(variant=w.variant, chunk=c) for c in plan().chunks]



def portable_params():
    """Typed params (config sections, station-days, station rows, the recipe) cross into jobs by value.

    Snakemake pickles a script job's params; each dataclass of seisclass is pickled as
    (module, class, fields) and rebuilt in the job by _bootstrap.restore, after _bootstrap
    has put this checkout's src/ first: jobs need no installed seisclass (--use-conda).
    """
    import copyreg

    from seisclass.acquire.stations import Station
    from seisclass.core.records import StationDay

    for kind in {Recipe, StationDay, Station, *_bootstrap.dataclass_types(SETTINGS.values())}:
        copyreg.pickle(kind, _bootstrap.reduce_dataclass)


portable_params()
