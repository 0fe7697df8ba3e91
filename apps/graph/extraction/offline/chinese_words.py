"""Word lists for reading Chinese: organisation suffixes, known names, and the verbs and patterns of each relation."""

from __future__ import annotations

ORG_SUFFIXES = (
    "有限责任公司",
    "有限公司",
    "公司",
    "集团",
    "大学",
    "学院",
    "银行",
    "研究院",
    "研究所",
    "医院",
    "协会",
    "基金会",
    "实验室",
    "出版社",
    # Industry words that end company names (京东物流, 蔚来汽车, 德邦快递).
    "物流",
    "快递",
    "汽车",
    "科技",
    "电子",
    "传媒",
    "证券",
    "保险",
    "航空",
    "地产",
    "制药",
    "电器",
    "通信",
    "软件",
    "影业",
    "食品",
    "能源",
)
# Well-known organisations; jieba splits or mistags many of them (字节 + 跳动, 华为 nr, 百度 n),
# so they are also added to its dictionary as organisation names.
KNOWN_ORGANIZATIONS = frozenset(
    """
    华为 腾讯 阿里巴巴 百度 小米 京东 字节跳动 美团 网易 新浪 联想 比亚迪 滴滴 拼多多 蚂蚁集团
    饿了么 微博 快手 哔哩哔哩 携程 大疆 中兴 海尔 格力 蔚来 小鹏汽车 理想汽车 吉利 宁德时代
    中国移动 中国银行 工商银行 建设银行 招商银行 平安保险 万科 顺丰 淘宝 支付宝 微信 商汤科技
    """.split()
)

# verb -> relation, for a verb between two names (张伟加入了腾讯).
VERB_EDGES = {
    **dict.fromkeys(("加入", "加盟"), "JOINED"),
    **dict.fromkeys(("创立", "创办", "创建", "成立", "建立", "创始", "创设"), "FOUNDED"),
    **dict.fromkeys(("位于", "坐落", "坐落于", "地处", "设在", "设于"), "LOCATED_IN"),
    **dict.fromkeys(("工作", "任职", "就职", "上班", "任教", "任职于", "就职于", "供职于"), "WORKS_AT"),
    **dict.fromkeys(("学习", "读书", "就读", "上学", "攻读", "念书", "就读于"), "STUDIED_AT"),
    **dict.fromkeys(("毕业", "毕业于"), "GRADUATED_FROM"),
    **dict.fromkeys(("住", "居住", "生活", "定居"), "LIVES_IN"),
    **dict.fromkeys(("出生", "生于", "出生于"), "BORN_IN"),
    **dict.fromkeys(("来自",), "COMES_FROM"),
    **dict.fromkeys(("搬到", "搬去", "搬往", "搬", "移居", "迁往", "迁居", "移民"), "MOVED_TO"),
    **dict.fromkeys(("收购", "并购", "买下", "收入囊中"), "ACQUIRED"),
    **dict.fromkeys(("投资", "注资"), "INVESTED_IN"),
    **dict.fromkeys(("领导", "带领"), "LEADS"),
    **dict.fromkeys(("管理", "负责", "主管"), "MANAGES"),
    **dict.fromkeys(("认识",), "KNOWS"),
    **dict.fromkeys(("见面", "会见", "会面"), "MET"),
    **dict.fromkeys(("嫁给", "娶", "迎娶"), "MARRIED_TO"),
    **dict.fromkeys(("访问", "参观", "游览", "去过"), "VISITED"),
}  # fmt: skip

# The verb after "在 <name>" (张伟在北京大学工作, 在华为负责海外市场): what one does at a place.
PLACE_VERBS = {
    **dict.fromkeys(("工作", "任职", "就职", "上班", "任教", "负责", "实习", "供职", "教书"), "WORKS_AT"),
    **dict.fromkeys(("学习", "读书", "就读", "上学", "读", "攻读", "念书", "读博", "读研"), "STUDIED_AT"),
    **dict.fromkeys(("住", "居住", "生活", "定居"), "LIVES_IN"),
    **dict.fromkeys(("出生",), "BORN_IN"),
}  # fmt: skip

# "现任联想集团董事长", "担任腾讯公司产品经理": holding a post at an organisation.
TITLE_VERBS = frozenset("现任 担任 出任 任 兼任".split())
# 是 <org> 的 <role>: these roles mean more than working there.
FOUNDER_ROLES = frozenset("创始人 创办人 联合创始人 创建者 缔造者".split())
SPOUSE_WORDS = frozenset("妻子 丈夫 老婆 老公 太太 夫人 爱人 先生".split())
MARRY_WORDS = frozenset("结婚 成婚 完婚".split())
HOMETOWN_WORDS = frozenset("老家 家乡 故乡".split())
PASSIVE_AGENT = "由"  # 由张一鸣创办: the name after it did what the verb says to the subject
MOVE_FROM = "从"
REPORT_TO = ("向", frozenset("汇报 报告 负责".split()))
# Words that put the fact in the past: 她之前在京东工作, 王强原来住在杭州.
PAST_MARKERS = frozenset("之前 以前 曾 曾经 原来 过去 早年".split())
