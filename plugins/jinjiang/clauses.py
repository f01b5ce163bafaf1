"""Clauses of the 2023 notice, cited by the rules."""
from core.plugin_host.toolkit import T

DOC = T("晋江市民政局 晋江市财政局《关于做好2023年晋江市“共建共享”社区治理项目申报工作的通知》",
        "Jinjiang civil-affairs and finance bureaus' notice on the 2023 co-building co-sharing projects")
QUOTA = T("通知 一：在全市范围内选取12个……城乡社区开展“共建共享”社区治理项目",
          "Notice §1: twelve communities city-wide are selected")
ALL_SCORES = T("本插件设置（通知未规定）：通知 四.2 由评审确定试点；市里设为须评审组全体成员评分后方可确定",
               "This plugin's setting (the notice sets none): under Notice §4.2 the city selects; it requires every "
               "panel member's score first")
SPECIFIC_GOALS = T("通知 三：目标计划应具体明确，避免过于宽泛笼统",
                   "Notice §3: goals and plans must be specific, not vague")
CONTENTS = T("通知 二：项目内容分党建引领型、邻里互助型、协商自治型、服务促进型、社会参与型五类，各有其建设内容",
             "Notice §2: five project types (party-building led, mutual aid, consultation, service, social participation), each with its own content")
NO_SWAPPING = T("通知 三：防止出现项目无法如期推进或中途更换项目等问题",
                "Notice §3: projects must not stall or be swapped mid-way")
APPLY = T("通知 四.1：在充分征求村（居）民意见建议的基础上提出项目方案……镇（街道）对项目把关并加盖公章，于3月17日前报送",
          "Notice §4.1: consult residents first; the town/street checks and stamps; submit by 17 March")
SELECTION = T("通知 四.2：综合考虑申报单位基础设施建设、党建工作、服务能力、群众参与等情况，确定试点项目，并择优推荐为泉州市项目",
              "Notice §4.2: selection weighs infrastructure, party building, service capacity and participation; the best are recommended to Quanzhou")
COMPLETION = T("通知 四.3：除不可抗力因素外，所有项目均应于2023年11月30前完成",
               "Notice §4.3: all projects finish by 30 November, force majeure aside")
SUBSIDY = T("通知 五.2：泉州项目每个给予5万元配套补助；本级试点每个给予10万元补助",
            "Notice §5.2: 50,000 yuan matching for Quanzhou-level pilots; 100,000 yuan for Jinjiang-level pilots")
OWN_FUNDS = T("通知 五.2：有关镇（街道）应对试点村（社区）给予适当资金补助；鼓励……通过慈善捐赠、设立社区基金会等方式，引导社会资金投入",
              "Notice §5.2: towns add their own support; donations and community foundations are encouraged")
DISCLOSURE = T("通知 五.2：试点村（社区）要通过村（居）务公开平台，及时向社区居民公布试点工作资金使用情况",
               "Notice §5.2: pilots publish how the money was used through the village/community disclosure board")
APPLICANTS = T("通知 一：在全市范围内选取12个基础条件好……的城乡社区开展“共建共享”社区治理项目",
               "Notice §1: the projects are run by city and village communities, twelve selected city-wide")
IMPLEMENTATION = T("通知 四.3：项目承接单位按照项目方案扎实推进建设……所有项目均应于2023年11月30前完成",
                   "Notice §4.3: the pilots carry out their plans, all finished by 30 November")
# delivery: plan tasks, activity records, people
REGISTRY_CONSENT = T("平台默认设置（通知未规定）：依《个人信息保护法》第十三、十四条，登记项目人员名册须取得本人同意",
                     "This plugin's setting (the notice sets none): by the Personal Information Protection Law (art. 13, 14), "
                     "registering a person needs their consent")
REGISTRY_RETENTION = T("平台默认设置（通知未规定）：项目档案中的人员名册在结项后保存的年限",
                       "This plugin's setting (the notice sets none): how long the archive's people registry is kept after the close-out")
# What falls due during the year (tongxin_obligations).
MONTHLY_PROGRESS = T("通知 五.3：建立信息报告制度，各相关镇（街道）应于每月20日前向市民政局报送试点工作进展情况",
                     "Notice §5.3: each town/street reports its pilots' progress to the city bureau by the 20th of every month")
SLOW_UNITS = T("通知 三：市级将不定期组织对项目建设进行检查，对工作进度缓慢的单位适时进行通报",
               "Notice §3: the city inspects the projects and names units that are slow")
SUMMARY = T("通知 四.4：项目结项后，试点村（社区）认真总结经验做法、查找不足，形成项目工作总结于12月20日报送市民政局",
            "Notice §4.4: after completion each pilot writes a summary of its experience and shortcomings, due to the city bureau by 20 December")
