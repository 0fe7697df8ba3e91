"""Chinese extraction rests on jieba 0.42.1's dictionary and tagger; these texts are ones it tags right."""

from __future__ import annotations

from tests.graph.offline_helpers import edges, entities, extract, utc


def test_it_reads_people_places_and_organisations():
    result = extract("张伟在北京大学工作。李明加入了阿里巴巴集团。王芳于2019年3月加入了腾讯公司，她目前住在深圳。")

    assert entities(result) == {
        ("张伟", "Person"),
        ("北京大学", "Organization"),
        ("李明", "Person"),
        ("阿里巴巴集团", "Organization"),  # 阿里巴巴 + 集团, joined
        ("王芳", "Person"),
        ("腾讯公司", "Organization"),
        ("深圳", "Location"),
    }
    assert edges(result) == {
        ("张伟", "WORKS_AT", "北京大学"),  # the verb after "在 <place>"
        ("李明", "JOINED", "阿里巴巴集团"),
        ("王芳", "JOINED", "腾讯公司"),
        ("王芳", "LIVES_IN", "深圳"),  # 她 is the sentence's topic
    }
    dates = {r.name: r.valid_at for r in result.relationships if r.source == "王芳"}
    assert dates == {"JOINED": utc(2019, 3, 1), "LIVES_IN": None}


def test_it_maps_common_verbs_to_edges():
    result = extract(
        "李明毕业于清华大学，现在在上海工作。陈静是阿里巴巴集团的工程师。马化腾创立了腾讯。招商银行总部位于深圳。周杰伦来自台湾。"
    )

    assert edges(result) == {
        ("李明", "GRADUATED_FROM", "清华大学"),
        ("李明", "WORKS_IN", "上海"),  # a clause without a subject continues the topic
        ("陈静", "WORKS_AT", "阿里巴巴集团"),
        ("马化腾", "FOUNDED", "腾讯"),
        ("招商银行", "LOCATED_IN", "深圳"),
        ("周杰伦", "COMES_FROM", "台湾"),
    }
    assert next(r for r in result.relationships if r.source == "陈静").attributes == {"role": "工程师"}


def test_it_keeps_an_unmapped_verb():
    result = extract("张伟拜访了李娜。")

    (relationship,) = result.relationships
    assert (relationship.source, relationship.name, relationship.target) == ("张伟", "RELATED_TO", "李娜")
    assert relationship.attributes == {"verb": "拜访"}


def test_it_links_every_name_of_a_list():
    assert edges(extract("张伟和李娜创办了小米科技有限责任公司。")) == {
        ("张伟", "FOUNDED", "小米科技有限责任公司"),
        ("李娜", "FOUNDED", "小米科技有限责任公司"),
    }


def test_it_does_not_name_a_company_it_only_describes():
    # 一家德国公司 is "a German company": neither a name nor Germany itself.
    result = extract("华为收购了一家德国公司。刘洋没有加入百度公司。")

    assert entities(result) == {("华为", "Organization"), ("刘洋", "Person"), ("百度公司", "Organization")}
    assert edges(result) == set()  # and 没有 negates the second


def test_it_reads_general_patterns():
    cases = {
        # 在X担任/当: a post at an organisation.
        "吴涛现在在京东担任产品总监。": {("吴涛", "WORKS_AT", "京东")},
        "马丽在复旦大学当老师。": {("马丽", "WORKS_AT", "复旦大学")},
        # Kin by possessive; 她 is the topic.
        "孙红住在杭州。她的丈夫周强在网易工作。": {("孙红", "MARRIED_TO", "周强"), ("周强", "WORKS_AT", "网易")},
        # 名叫X: what was founded is X; 公司 opening a clause is that organisation; 在深圳 is not the founder.
        "赵刚在深圳创办了一家软件公司，名叫星云软件有限公司。公司位于福田区。": {
            ("赵刚", "FOUNDED", "星云软件有限公司"),
            ("星云软件有限公司", "LOCATED_IN", "福田区"),
        },
        # What is bought is an organisation, with the nouns after the name.
        "2020年，腾讯收购了摩拜单车。": {("腾讯", "ACQUIRED", "摩拜单车")},
        # A place before an organisation locates it; 对X的收购 is an acquisition.
        "总部位于广州的华南物流宣布完成对苏州恒达电子的收购。": {
            ("华南物流", "LOCATED_IN", "广州"),
            ("恒达电子", "LOCATED_IN", "苏州"),
            ("华南物流", "ACQUIRED", "恒达电子"),
        },
        "小米宣布任命刘强为首席执行官。": {("刘强", "CEO_OF", "小米")},
        "今天见了林静。她上个月从百度离职，去了美团做产品。": {
            ("林静", "WORKED_AT", "百度"),
            ("林静", "WORKS_AT", "美团"),
        },
    }
    for text, expected in cases.items():
        assert expected <= edges(extract(text)), text


def test_it_names_the_organisation_a_description_introduces():
    # 电子制造商, 医疗器械公司, 餐饮公司 say what kind of organisation the name after them is.
    cases = {
        "远景集团收购了苏州电子制造商恒通电子。": {("恒通电子", "LOCATED_IN", "苏州")},
        "李华在一家医疗器械公司康达医疗工作。": {("李华", "WORKS_AT", "康达医疗")},
        "总部位于西安的餐饮公司秦味餐饮今天上市。": {("秦味餐饮", "LOCATED_IN", "西安")},
    }
    for text, expected in cases.items():
        result = extract(text)
        assert expected <= edges(result), text
        assert not {name for name, _ in entities(result)} & {"电子制造商", "苏州电子制造商", "医疗器械公司", "餐饮公司"}
    assert ("康达医疗", "Organization") in entities(extract("李华在一家医疗器械公司康达医疗工作。"))


def test_it_reads_a_person_stationed_somewhere():
    assert edges(extract("王磊明年起常驻东京。")) == {("王磊", "WORKS_IN", "东京")}


def test_it_relates_no_place_by_a_verb_it_does_not_know():
    # A trip or a plan (会到成都出差, 在欧洲建设工厂) is no standing fact about the place.
    assert edges(extract("赵强今年会到成都出差。")) == set()
    assert edges(extract("吉利宣布将在欧洲建设新工厂。")) == set()


def test_it_reads_a_relative_named_with_and():
    # 和 + a kin word: the two do what follows together, and the kin word says how they are related.
    assert edges(extract("林涛和妻子王丽住在广州。")) == {
        ("林涛", "MARRIED_TO", "王丽"),
        ("林涛", "LIVES_IN", "广州"),
        ("王丽", "LIVES_IN", "广州"),
    }
    assert edges(extract("陈刚和儿子陈亮搬到了成都。")) == {
        ("陈刚", "PARENT_OF", "陈亮"),
        ("陈刚", "MOVED_TO", "成都"),
        ("陈亮", "MOVED_TO", "成都"),
    }


def test_it_reads_graduated_from_after_a_degree():
    # jieba keeps 本科毕业 as one noun; the degree is no part of the verb.
    assert edges(extract("宋佳出生于青岛，本科毕业于山东大学。")) == {
        ("宋佳", "BORN_IN", "青岛"),
        ("宋佳", "GRADUATED_FROM", "山东大学"),
    }


def test_it_splits_a_character_jieba_sticks_to_a_name():
    assert edges(extract("张明曾在网易工作。")) == {("张明", "WORKED_AT", "网易")}  # jieba: 张明曾/nr
    assert edges(extract("周涛每周向雷军汇报。")) == {("周涛", "REPORTS_TO", "雷军")}  # jieba: 向雷军/nr


def test_it_reads_a_place_within_a_region():
    result = extract("周敏出生在浙江温州，现在住在广东深圳。他的老家在湖北仙桃。")

    assert ("仙桃", "Location") in entities(result)  # jieba tags it a common noun
    assert edges(result) == {
        ("周敏", "BORN_IN", "温州"),  # the place meant is the second, not the province
        ("周敏", "LIVES_IN", "深圳"),
        ("周敏", "COMES_FROM", "仙桃"),
        ("温州", "LOCATED_IN", "浙江"),
        ("深圳", "LOCATED_IN", "广东"),
        ("仙桃", "LOCATED_IN", "湖北"),
    }


def test_it_takes_no_room_for_a_place():
    result = extract("孙磊常驻北京办公室。")

    assert edges(result) == {("孙磊", "WORKS_IN", "北京")}
    assert "办公室" not in {e.name for e in result.entities}


def test_it_reads_a_post_before_a_name():
    assert edges(extract("蓝鲸网络创始人赵刚毕业于南京大学。")) == {
        ("赵刚", "FOUNDED", "蓝鲸网络"),
        ("赵刚", "GRADUATED_FROM", "南京大学"),  # the founder graduated, not the company
    }
    assert edges(extract("前百度高管赵刚加入了美团。")) == {
        ("赵刚", "WORKED_AT", "百度"),  # 前: a former post
        ("赵刚", "JOINED", "美团"),
    }
    assert edges(extract("孙磊每周向副总裁李红汇报。")) == {("孙磊", "REPORTS_TO", "李红")}


def test_it_reads_a_post_after_shi_wei_and_you():
    assert edges(extract("星海资本是一家投资公司，创始人是马骏，董事长由孙颖担任。")) == {
        ("马骏", "FOUNDED", "星海资本"),
        ("孙颖", "CHAIRMAN_OF", "星海资本"),
    }


def test_it_keeps_the_topic_as_subject_after_a_title_verb_or_and():
    assert edges(extract("林涛现任美团高级副总裁，和妻子刘燕住在北京。")) == {
        ("林涛", "WORKS_AT", "美团"),  # 现任 (tagged a noun) does not make 美团 the subject
        ("林涛", "MARRIED_TO", "刘燕"),
        ("林涛", "LIVES_IN", "北京"),
        ("刘燕", "LIVES_IN", "北京"),
    }


def test_it_lets_a_companion_share_the_deed():
    assert edges(extract("陈峰与好友王磊共同创办了蓝鲸网络公司。")) == {
        ("陈峰", "FOUNDED", "蓝鲸网络公司"),
        ("王磊", "FOUNDED", "蓝鲸网络公司"),
    }


def test_it_reads_partners_growing_up_and_branch_offices():
    assert edges(extract("李雪和男朋友王凯住在成都。")) == {
        ("李雪", "PARTNER_OF", "王凯"),
        ("李雪", "LIVES_IN", "成都"),
        ("王凯", "LIVES_IN", "成都"),
    }
    assert edges(extract("陈露在重庆长大。")) == {("陈露", "LIVED_IN", "重庆")}  # jieba tags 长大 a place
    assert edges(extract("青松科技在成都和西安设有分公司。")) == {
        ("青松科技", "HAS_OFFICE_IN", "成都"),
        ("青松科技", "HAS_OFFICE_IN", "西安"),
    }


def test_it_finds_an_organisation_again_and_a_name_cut_after_the_surname():
    result = extract("杭州电商公司云杉网络今天发布新品。云杉网络由李强于2018年创立。前美敦力高管徐建国加入了百度。")

    assert {("云杉网络", "Organization"), ("李强", "Person"), ("徐建国", "Person")} <= entities(result)
    assert {("李强", "FOUNDED", "云杉网络"), ("徐建国", "JOINED", "百度")} <= edges(result)


def test_it_reads_a_common_noun_and_a_suffix_as_a_name_where_one_is_expected():
    assert edges(extract("陈露在星展银行工作。")) == {("陈露", "WORKS_AT", "星展银行")}  # 星展/n
    assert edges(extract("昨天见了王磊，他是星海资本的合伙人。")) == {("王磊", "WORKS_AT", "星海资本")}


def test_it_reads_what_a_company_is_described_as():
    result = extract("远山物流是一家总部位于天津的货运公司。蓝天资本收购了无锡的芯源半导体。")

    assert ("远山物流", "LOCATED_IN", "天津") in edges(result)  # after 是, the company described is the subject
    assert ("无锡", "Location") in entities(result)  # the place of what was bought, not an organisation


def test_it_says_a_country_and_a_school_apart_from_the_university():
    result = extract("何静毕业于复旦大学管理学院，后赴英国剑桥大学深造。")

    assert edges(result) == {
        ("何静", "GRADUATED_FROM", "复旦大学"),  # not 复旦大学管理学院
        ("何静", "STUDIED_AT", "剑桥大学"),  # 赴…深造, and not 英国剑桥大学
        ("剑桥大学", "LOCATED_IN", "英国"),
    }


def test_it_goes_on_with_someone_named_through_kin_for_the_rest_of_the_sentence():
    assert edges(extract("孙敏是一名医生，她的丈夫郭峰是一名律师，在北京工作。他们住在天津。")) == {
        ("孙敏", "MARRIED_TO", "郭峰"),
        ("郭峰", "WORKS_IN", "北京"),  # he works there, not she
        ("孙敏", "LIVES_IN", "天津"),  # 他们, "they": the two of them
        ("郭峰", "LIVES_IN", "天津"),
    }
    # The next sentence is about her again.
    assert ("孙敏", "LIVES_IN", "天津") in edges(
        extract("孙敏是一名医生，她的丈夫郭峰是一名律师，在北京工作。她住在天津。")
    )


def test_it_reads_a_described_studio_whose_name_ends_in_a_suffix():
    result = extract("上海游戏工作室蓝鲸影业收购了杭州的一家公司。")

    assert ("蓝鲸影业", "Organization") in entities(result)
    assert ("蓝鲸影业", "LOCATED_IN", "上海") in edges(result)


def test_it_reads_a_name_jieba_cuts_into_common_words_before_a_suffix():
    # 星河/n 微电子/n after a place and 的; 软件开发/l 公司 describes 沐风科技; 天空/n 出版社 after 担任.
    result = extract("总部位于南京的星河微电子宣布收购苏州软件开发公司沐风科技。刘强现在担任天空出版社社长。")

    assert {("星河微电子", "Organization"), ("沐风科技", "Organization"), ("天空出版社", "Organization")} <= entities(
        result
    )
    assert edges(result) >= {
        ("星河微电子", "LOCATED_IN", "南京"),
        ("星河微电子", "ACQUIRED", "沐风科技"),
        ("沐风科技", "LOCATED_IN", "苏州"),
        ("刘强", "WORKS_AT", "天空出版社"),
    }


def test_it_reads_a_verb_jieba_makes_of_a_name_after_a_description():
    result = extract("上海游戏公司飞跃科技的创始人徐振东毕业于浙江大学。")  # 飞跃/v 科技

    assert ("飞跃科技", "Organization") in entities(result)
    assert {("飞跃科技", "LOCATED_IN", "上海"), ("徐振东", "FOUNDED", "飞跃科技")} <= edges(result)
    assert not any(
        name == "公司" or name.endswith("发布") for name, _ in entities(extract("深圳的一家公司发布了新产品。"))
    )


def test_it_reads_a_surname_jieba_takes_for_a_measure_word():
    assert ("张振华", "Person") in entities(extract("创始人张振华毕业于浙江大学。"))  # 张/q 振华/nz
    assert edges(extract("孙立向雷军汇报。")) == {("孙立", "REPORTS_TO", "雷军")}  # 向 is "to" here


def test_it_makes_no_one_founder_of_an_organisation_named_after_the_post():
    assert edges(extract("创始人吴振华毕业于复旦大学。")) == {("吴振华", "GRADUATED_FROM", "复旦大学")}


def test_it_reads_kin_joined_after_an_adverb_and_a_company_in_a_city():
    result = extract("周婷在杭州的一家外企工作。后来和丈夫李军一起搬到苏州。")

    assert edges(result) == {
        ("周婷", "WORKS_IN", "杭州"),  # 在杭州的一家外企工作: she works in the city
        ("周婷", "MARRIED_TO", "李军"),  # 后来和丈夫李军: the two together
        ("周婷", "MOVED_TO", "苏州"),
        ("李军", "MOVED_TO", "苏州"),
    }


def test_it_reads_a_headquarters_and_an_office_of_the_company_just_named():
    assert edges(extract("星火物流是一家总部在成都的快递公司。")) == {("星火物流", "LOCATED_IN", "成都")}
    assert edges(extract("阿里巴巴宣布，公司将在新加坡设立新的研发中心。")) == {("阿里巴巴", "HAS_OFFICE_IN", "新加坡")}


def test_it_reads_students_of_a_university_and_its_schools():
    assert edges(extract("孙悦是浙江大学的学生。")) == {("孙悦", "STUDIED_AT", "浙江大学")}  # not WORKS_AT
    assert ("陈立", "STUDIED_AT", "复旦大学") in edges(extract("我是复旦大学数学学院的博士生陈立。"))


def test_it_reads_two_people_together_as_each_of_them():
    result = extract("王磊是复旦大学的老师，他的妻子赵敏在华山医院当护士。两人住在上海徐汇区。")

    assert {("王磊", "LIVES_IN", "徐汇区"), ("赵敏", "LIVES_IN", "徐汇区")} <= edges(result)
    assert edges(extract("王磊和赵敏是同学。他们住在北京。")) == {
        ("王磊", "LIVES_IN", "北京"),
        ("赵敏", "LIVES_IN", "北京"),
    }


def test_it_reads_towns_jieba_takes_for_people_and_foreign_names_with_a_dot():
    result = extract("钢琴家宋雨桐出生于大连。2016年她嫁给了指挥家马库斯·韦伯，婚后两人定居柏林。")

    # 大连/d and 柏林/nr are towns on GeoNames' list; 马库斯·韦伯 is one person.
    assert {("大连", "Location"), ("柏林", "Location"), ("马库斯·韦伯", "Person")} <= entities(result)
    assert edges(result) == {
        ("宋雨桐", "BORN_IN", "大连"),
        ("宋雨桐", "MARRIED_TO", "马库斯·韦伯"),
        ("宋雨桐", "LIVES_IN", "柏林"),  # 两人: she and the one she married
        ("马库斯·韦伯", "LIVES_IN", "柏林"),
    }


def test_it_reads_workplaces_jieba_takes_for_people_and_news_organisations():
    assert edges(extract("邓佳琪之前在宝洁任职。")) == {("邓佳琪", "WORKED_AT", "宝洁")}  # 宝洁/nr
    assert edges(extract("冯磊在南方日报当记者。")) == {("冯磊", "WORKS_AT", "南方日报")}


def test_it_reads_funding_ownership_partnership_and_children():
    assert edges(extract("启源资本领投了杭州初创公司澄观数据的A轮融资。")) == {
        ("启源资本", "INVESTED_IN", "澄观数据"),  # 领投, and the company's round is the company's
        ("澄观数据", "LOCATED_IN", "杭州"),
    }
    assert edges(extract("青禾食品隶属于华丰控股。")) == {("青禾食品", "SUBSIDIARY_OF", "华丰控股")}
    assert edges(extract("睿康医疗与浙江大学合作。")) == {("睿康医疗", "PARTNERED_WITH", "浙江大学")}
    assert ("贺磊", "PARENT_OF", "贺小满") in edges(extract("她嫁给了摄影师贺磊，两人育有一女贺小满。"))


def test_it_takes_a_description_ending_in_a_kind_of_company_out_of_the_name():
    result = extract("本报讯 总部设在佛山的智能家居企业栖梧科技宣布收购东莞传感器厂商芯澜微电子。")

    assert {("栖梧科技", "Organization"), ("芯澜微电子", "Organization")} <= entities(result)
    assert not any(name == "本报讯" for name, _ in entities(result))  # "this paper reports" names no one
    assert {("栖梧科技", "LOCATED_IN", "佛山"), ("栖梧科技", "ACQUIRED", "芯澜微电子")} <= edges(result)


def test_it_reads_what_belongs_to_a_group():
    assert edges(extract("星河集团旗下的远航物流上月已把总部从厦门迁往深圳。")) == {
        ("远航物流", "SUBSIDIARY_OF", "星河集团"),
        ("远航物流", "MOVED_FROM", "厦门"),
        ("远航物流", "MOVED_TO", "深圳"),
    }
    assert ("岚屿茶业", "SUBSIDIARY_OF", "鹿鸣集团") in edges(
        extract("岚屿茶业成立于2009年，是鹿鸣集团旗下的高端茶叶品牌。")
    )
