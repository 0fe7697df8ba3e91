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
    "事务所",
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
    "生物",
    "医药",
    "网络",
    "信息",
    "控股",
    "资本",
    "咨询",
    "教育",
    "智能",
    "动力",
    "茶业",
    "酒业",
    "乳业",
    "药业",
    "矿业",
    "农业",
    "置地",
    "数据",
    "医疗",
    # News organisations: 南方日报, 新华社 (jieba knows), 湖南电视台.
    "日报",
    "晚报",
    "报社",
    "电视台",
)
# Said after an organisation suffix in one jieba word: 公司总裁, 公司总部.
AFTER_SUFFIX = frozenset("总裁 副总裁 董事长 总经理 经理 总监 创始人 总部 员工 高管 首席执行官 CEO".split())
# 任命王建国为首席执行官: the organisation appointing someone employs them.
APPOINTING_WORDS = frozenset("任命 聘任 聘请 委任 提名 聘用".split())
CEO_TITLES = ("首席执行官", "CEO", "总裁")
# 从京东离职: leaving an employer.
LEAVE_WORDS = frozenset("离职 辞职 跳槽 退休 离开".split())
# Well-known organisations; jieba splits or mistags many of them (字节 + 跳动, 华为 nr, 百度 n),
# so they are also added to its dictionary as organisation names.
KNOWN_ORGANIZATIONS = frozenset(
    """
    华为 腾讯 阿里巴巴 百度 小米 京东 字节跳动 美团 网易 新浪 联想 比亚迪 滴滴 拼多多 蚂蚁集团
    饿了么 微博 快手 哔哩哔哩 携程 大疆 中兴 海尔 格力 蔚来 小鹏汽车 理想汽车 吉利 宁德时代
    中国移动 中国银行 工商银行 建设银行 招商银行 平安保险 万科 顺丰 淘宝 支付宝 微信 商汤科技
    """.split()
)

# Verbs of a funding round jieba does not know as words (领投: leads the round).
DEAL_VERBS = ("领投", "参投", "跟投")
# verb -> relation, for a verb between two names (张伟加入了腾讯).
VERB_EDGES = {
    **dict.fromkeys(("加入", "加盟"), "JOINED"),
    **dict.fromkeys(("创立", "创办", "创建", "成立", "建立", "创始", "创设"), "FOUNDED"),
    **dict.fromkeys(("位于", "坐落", "坐落于", "地处", "设在", "设于"), "LOCATED_IN"),
    **dict.fromkeys(("工作", "任职", "就职", "上班", "任教", "任职于", "就职于", "供职于"), "WORKS_AT"),
    **dict.fromkeys(("学习", "读书", "就读", "上学", "攻读", "念书", "就读于"), "STUDIED_AT"),
    **dict.fromkeys(("毕业", "毕业于"), "GRADUATED_FROM"),
    **dict.fromkeys(("住", "居住", "生活", "定居"), "LIVES_IN"),
    **dict.fromkeys(("常驻", "驻", "派驻", "驻扎"), "WORKS_IN"),
    **dict.fromkeys(("出生", "生于", "出生于"), "BORN_IN"),
    **dict.fromkeys(("来自",), "COMES_FROM"),
    **dict.fromkeys(("搬到", "搬去", "搬往", "搬", "移居", "迁往", "迁居", "移民"), "MOVED_TO"),
    **dict.fromkeys(("收购", "并购", "买下", "收入囊中"), "ACQUIRED"),
    **dict.fromkeys(("投资", "注资", *DEAL_VERBS), "INVESTED_IN"),
    **dict.fromkeys(("隶属于", "隶属"), "SUBSIDIARY_OF"),
    **dict.fromkeys(("合作",), "PARTNERED_WITH"),
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
    **dict.fromkeys(("学习", "读书", "就读", "上学", "读", "攻读", "念书", "读博", "读研", "深造", "留学", "进修"), "STUDIED_AT"),
    **dict.fromkeys(("住", "居住", "生活", "定居"), "LIVES_IN"),
    **dict.fromkeys(("出生",), "BORN_IN"),
    **dict.fromkeys(("长大",), "LIVED_IN"),  # 在西安长大: grew up there
    **dict.fromkeys(("设有", "开设", "设立"), "HAS_OFFICE_IN"),  # 在郑州和武汉设有分公司
}  # fmt: skip

# "在网易公司担任技术总监", "在腾讯做产品", "在四川大学当老师": a post held at an organisation.
POST_VERBS = frozenset("担任 出任 兼任 做 当 干".split())
# 说/表示 + 他: the clause after them states the fact, about the one who said it.
REPORTING_VERBS = frozenset("说 表示 称 透露 介绍 提到 告诉 说道".split())
# "一家机器人公司，名叫优创科技": the name of the thing just described.
NAMING_WORDS = frozenset("名叫 叫做 名为 取名 取名为 名字叫".split())
# Nouns for an organisation in general: "叫做蓝海数据的公司", and, opening a clause, "公司位于南山区".
ORG_NOUNS = frozenset(
    "公司 该公司 这家公司 那家公司 企业 该企业 集团 该集团 机构 单位 工厂 学校 该校 公司总部 总部".split()
)
# "深圳物流软件公司速达网络", "医疗器械公司康华医疗": a noun saying what kind of organisation the name after it is.
DESCRIPTION_HEADS = tuple("公司 工作室 制造商 厂商 开发商 运营商 供应商 企业 品牌".split())  # also 餐饮公司, 初创公司
# "她的丈夫李明", "我的女儿小美": the relation between the possessor and the name ("~": the name is its source).
KIN_WORDS = {
    **dict.fromkeys("丈夫 妻子 老婆 老公 太太 夫人 爱人 未婚夫 未婚妻".split(), "MARRIED_TO"),
    **dict.fromkeys("哥哥 姐姐 弟弟 妹妹 兄弟 姐妹".split(), "SIBLING_OF"),
    **dict.fromkeys("儿子 女儿 孩子 一女 一子 一儿 独子 独女".split(), "PARENT_OF"),
    **dict.fromkeys("父亲 母亲 爸爸 妈妈".split(), "~PARENT_OF"),
    **dict.fromkeys("同事".split(), "COLLEAGUE_OF"),
    **dict.fromkeys("男朋友 女朋友 男友 女友".split(), "PARTNER_OF"),
}  # fmt: skip

# 与好友周磊共同创立: someone named with the subject, doing what follows together.
COMPANION_WORDS = frozenset("好友 朋友 同学 合伙人 搭档 室友 伙伴 老同学".split())

# "现任联想集团董事长", "担任腾讯公司产品经理": holding a post at an organisation.
TITLE_VERBS = frozenset("现任 担任 出任 任 兼任".split())
# 是 <org> 的 <role>: these roles mean more than working there.
FOUNDER_ROLES = frozenset("创始人 创办人 联合创始人 创建者 缔造者".split())
# A post before a name or after 是/为 (小米集团创始人雷军, 董事长为曾毓群, 向副总裁陈静汇报): the relation
# it gives its holder with the organisation; the roles after the first three lines only say they work there.
ROLE_EDGES = {
    **dict.fromkeys(FOUNDER_ROLES, "FOUNDED"),
    **dict.fromkeys("董事长 董事会主席 主席".split(), "CHAIRMAN_OF"),
    **dict.fromkeys("首席执行官 执行官 CEO 总裁".split(), "CEO_OF"),
    **dict.fromkeys(
        """副总裁 总经理 副总经理 经理 总监 高管 员工 合伙人 董事 主编 编辑 记者 工程师 教授 研究员 医生
        律师 设计师 科学家 负责人 首席技术官 CTO 技术总监 产品经理 分析师 老师 教师 院长 校长 行长""".split(),
        "WORKS_AT",
    ),
    **dict.fromkeys("学生 研究生 博士生 硕士生 本科生 博士研究生 留学生".split(), "STUDIES_AT"),
}  # fmt: skip
# Roles strong enough to tie a name at a clause's start to the organisation the text is about (，创始人张伟将…).
LEADING_ROLES = frozenset(r for r, edge in ROLE_EDGES.items() if edge != "WORKS_AT")
SPOUSE_WORDS = frozenset("妻子 丈夫 老婆 老公 太太 夫人 爱人 先生".split())
MARRY_WORDS = frozenset("结婚 成婚 完婚".split())
DEGREES = frozenset("本科 大学 硕士 博士 研究生 高中 中学".split())  # 本科毕业于…
HOMETOWN_WORDS = frozenset("老家 家乡 故乡".split())
PASSIVE_AGENT = "由"  # 由张一鸣创办: the name after it did what the verb says to the subject
MOVE_FROM = "从"
REPORT_TO = ("向", frozenset("汇报 报告 负责".split()))
# Words that put the fact in the past: 她之前在京东工作, 王强原来住在杭州.
PAST_MARKERS = frozenset("之前 以前 此前 曾 曾经 原来 过去 早年".split())
# Countries jieba may keep inside an organisation's name (美国麻省理工学院): the place is said apart.
COUNTRIES = frozenset(
    """美国 英国 法国 德国 日本 韩国 加拿大 澳大利亚 新加坡 意大利 西班牙 荷兰 瑞士 瑞典 俄罗斯 印度 巴西
    墨西哥 新西兰 爱尔兰 比利时 丹麦 挪威 芬兰 以色列 泰国 越南 马来西亚 印度尼西亚 匈牙利 波兰 奥地利""".split()
)
# A university's school or department jieba keeps in one word with it (清华大学建筑学院).
SCHOOL_UNITS = ("学院", "系", "研究所", "研究院")
# The commonest surnames, which jieba, cutting a name whose given name is a word it knows, may tag as
# something else (张/q 振华/nz: a measure word).
SURNAMES = frozenset(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 "
    "蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 "
    "雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤".split()
)
# Words jieba tags as proper nouns that name nothing: a news item's "this paper reports", a "happy news" heading.
NOT_NAMES = frozenset("本报讯 喜讯 快讯 简讯 据悉 特此通知".split())
