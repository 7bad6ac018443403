"""Options every AG Grid table shares: its own words (no rows, filter menus, paging) in the
screen's language. AG Grid writes English unless given `localeText`."""

from __future__ import annotations

from dashboards.i18n import request_lang

# AG Grid's locale keys the app's grids show (overlays, column filters, menus).
_ZH = {
    "noRowsToShow": "暂无数据",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "selectAll": "全选",
    "selectAllSearchResults": "全选搜索结果",
    "blanks": "空白",
    "noMatches": "无匹配项",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "inRangeStart": "从",
    "inRangeEnd": "到",
    "before": "早于",
    "after": "晚于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "dateFormatOoo": "年-月-日",
    "page": "页",
    "of": "/",
    "to": "至",
    "more": "更多",
    "nextPage": "下一页",
    "lastPage": "末页",
    "firstPage": "首页",
    "previousPage": "上一页",
    "pageSizeSelectorLabel": "每页行数：",
    "pinColumn": "固定列",
    "pinLeft": "固定在左侧",
    "pinRight": "固定在右侧",
    "noPin": "取消固定",
    "autosizeThisColumn": "自动调整此列宽度",
    "autosizeAllColumns": "自动调整所有列宽度",
    "resetColumns": "重置列",
    "sortAscending": "升序",
    "sortDescending": "降序",
    "sortUnSort": "取消排序",
    "columns": "列",
    "filters": "筛选",
    "copy": "复制",
    "ariaChecked": "已选",
    "ariaUnchecked": "未选",
}


def grid_options(lang: str | None = None, **options) -> dict:
    """`dashGridOptions` with the grid's own words in `lang` (default: the request's)."""
    if (lang or request_lang()) == "zh":
        options["localeText"] = _ZH
    return options
