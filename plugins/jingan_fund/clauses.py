"""The clauses of the district's plan that the rules cite, so a refused applicant reads the words
of the document that holds in every street of 静安区."""
from core.plugin_host.toolkit import T

DOC = T("《上海市静安区关于开展全国社区治理和服务创新实验区工作的实施方案》（静府办发〔2017〕22号）",
        "Jing'an District plan for the national community governance and service innovation pilot zone (2017)")

TWO_FORMS = T("静安区实施方案 四（二）：运用好社区基金这一载体，以社区共治金和社区自治金为主要形式，不断规范运作程序、项目主导、参与主体等",
              "Jing'an plan §4(2): the community fund works mainly as co-governance money (共治金) and self-governance money (自治金)")
ZIZHI_FORMATION = T("静安区实施方案 五（二）1：选择部分试点居委会在议事会、联席会议等平台上，通过“三会一代理”、“四议”等群众工作法形成自治项目",
                    "Jing'an plan §5(2)1: neighbourhood committees form self-governance projects through 三会一代理 and 四议")
GONGZHI_FORMATION = T("静安区实施方案 四（一）：依托党建联席会议、社区代表会议、居民区“1+5+X”共治联席会等载体，打造社区共治平台",
                      "Jing'an plan §4(1): co-governance is built on the community representatives' meeting and the neighbourhood's '1+5+X' joint meeting")
REPRESENTATIVES = T("静安区实施方案 五（二）4：建立社区代表会议制度，规范会议流程，促进街道社区各界代表参与",
                    "Jing'an plan §5(2)4: the street's community representatives' meeting, with set procedures")
JOINT_MEETING = T("静安区实施方案 五（二）4：完善居民区“1+5+X”共治联席会，确立以党组织为核心，居委会为主导，居民为主体，业委会、物业公司、驻区单位、群众团体、社会组织、群众活动团队等共同参与的基层治理架构",
                  "Jing'an plan §5(2)4: the neighbourhood's '1+5+X' joint meeting of the party organisation, committee, residents, "
                  "owners' committee, property company, local units and groups")
FORMATION_RECORD = T("静安区实施方案 四（一）：做实居民区“三会一代理”等制度，切实把居民群众关心的事项和问题，自下而上酝酿讨论、意见表达、综合统筹，形成公共议题和具体项目",
                     "Jing'an plan §4(1): projects come bottom-up from residents' concerns through 三会一代理 and the like; the record shows it")
SPENDING_LIST = T("静安区实施方案 五（二）3：制定资金使用标准。制定居民区工作经费使用清单",
                  "Jing'an plan §5(2)3: spending standards: a list of what neighbourhood work money may be spent on")
ANALYSIS = T("静安区实施方案 四（四）：社区分析，即推动社区各类成员共同行动，加强对社区“人、文、地、产、景”等信息的分析；五（二）2：开发“社区分析”工具",
             "Jing'an plan §4(4), §5(2)2: the community analysis of people, culture, place, industry and landscape, and its tool")
FOUNDATION = T("静安区实施方案 四（二）：按照“成熟一个，建立一个”的工作原则，鼓励并指导有条件的街镇成立社区发展基金会，吸纳各类资金投入",
               "Jing'an plan §4(2): streets set up community foundations 'one where ready', taking in money of every kind")
PLATFORMS = T("静安区实施方案 五（二）1：通过“三会一代理”、“四议”等群众工作法形成自治项目；四（一）：依托社区代表会议、居民区“1+5+X”共治联席会等载体，打造社区共治平台",
              "Jing'an plan §5(2)1, §4(1): self-governance projects through 三会一代理 and 四议; co-governance at the "
              "representatives' meeting and the '1+5+X' joint meeting")
