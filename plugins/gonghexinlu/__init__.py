"""共和新路街道 (静安区) 2023: 一居一品 and 七彩微创投, one fund pool.

Source: 《共和新路街道关于进一步支持居民区开展自治项目化工作的实施方案（试行）》 (2023-03-06) and its
two annexes, the 2023 申报导则 and the 工具清单. Where the document says "一般" (normally), the
number is a default in the config schema that the street may change; the rule still blocks
at whatever number the programme froze, and the refusal cites the clause.
"""
