"""The text catalogue: key → {zh, en}."""

TEXT: dict[str, dict[str, str]] = {
    "app.title": {"zh": "康复目标监测", "en": "Rehab Target Monitor"},
    "home.title": {"zh": "已导入数据", "en": "Loaded data"},
    "home.empty": {
        "zh": "尚未导入任何数据。请将文件放入数据目录的 inbox/ 并运行 rehab-monitor pipeline run。",
        "en": "No data loaded yet. Put files into the data directory's inbox/ and run "
        "rehab-monitor pipeline run.",
    },
    "home.run": {"zh": "最近发布的运行", "en": "Latest published run"},
    "home.rows_loaded": {"zh": "导入行数", "en": "rows loaded"},
    "home.rows_rejected": {"zh": "拒收行数", "en": "rows rejected"},
    "home.district": {"zh": "区县", "en": "District"},
    "home.code": {"zh": "代码", "en": "Code"},
    "dataset.cases": {"zh": "个案登记", "en": "Cases"},
    "dataset.services": {"zh": "服务记录", "en": "Services"},
    "dataset.institutions": {"zh": "定点机构", "en": "Institutions"},
    "dataset.staff": {"zh": "服务人员", "en": "Staff"},
}
