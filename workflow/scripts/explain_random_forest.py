"""Rule adapter: SHAP values, importance tables, driver summary and plots of the tree model."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv, write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.explain import forest_shap as explain
from seisclass.learn.loading import load_classifier
from seisclass.plots import explain as shap_figures

log = log_to(snakemake.log[0])
p = snakemake.params.explain
model = load_classifier(snakemake.input.model)
classes = model.check_classes(list(snakemake.params.classes))
names = model.feature_names
table = pd.read_parquet(snakemake.input.dataset)
sample = explain.sample_windows(table, classes, p.split, p.max_windows_per_class, snakemake.params.seed)
log.info("explaining %d windows (%s)", len(sample), sample["label"].value_counts().to_dict())
features = sample[names].to_numpy(float)
values, base = explain.tree_shap_values(model, features, classes)
units = explain.shap_units(model)
log.info("base values (mean output, %s): %s", units, dict(zip(classes, base.round(3), strict=True)))

keys = sample[[*KEY_COLUMNS, "label"]]
write_parquet(explain.values_table(keys, values, names, classes), snakemake.output.values)
importance = explain.global_importance(values, names, classes)
write_csv(importance, snakemake.output.importance, sep="\t", float_format="%.5g")
group_files = [snakemake.input.groups] if isinstance(snakemake.input.groups, str) else list(snakemake.input.groups)
if group_files:
    members = explain.group_members(names, pd.read_csv(group_files[0], sep="\t"))
else:
    log.warning("no feature groups (exploration stage absent): every feature is its own group")
    members = explain.group_members(names, None)
groups = explain.group_importance(values, names, classes, members)
write_csv(groups, snakemake.output.groups, sep="\t", float_format="%.5g")
summary = explain.driver_summary(values, features, names, classes, p.summary_features)
write_csv(summary, snakemake.output.summary, sep="\t", float_format="%.4g")
log.info("drivers per class:\n%s", explain.summary_text(summary, classes))

index = {n: i for i, n in enumerate(names)}
top = [index[f] for f in importance["feature"].head(p.top_features)]
save_figure(shap_figures.beeswarm_figure(values, features, names, classes, top, snakemake.params.seed, units),
            snakemake.output.beeswarm)
save_figure(shap_figures.dependence_figure(values, features, names, classes, top[: p.dependence_features], units,
                                           model.recipe.feature_units()), snakemake.output.dependence)
save_figure(shap_figures.group_importance_figure(groups, classes, p.top_features, units), snakemake.output.group_plot)
