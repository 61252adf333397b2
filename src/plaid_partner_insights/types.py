"""Every request and response model and enum, under its name in the spec, and the request TypedDicts for callers
who annotate.

```python
from plaid_partner_insights.types import CraCheckReportPartnerInsightsGetResponse, PartnerInsightsGetParams

params: PartnerInsightsGetParams = {"user_id": user_id, "partner_insights": {"prism_versions": {"cashscore": "4"}}}
report = client.partner_insights.get(**params)
```

The names come straight from the generated code (star imports of its `__all__`), so a schema or operation added to
the spec appears here on the next `python codegen.py`. The request TypedDicts have names of their own, which never
collide with the models: `<Resource><Method>Params` for an operation's request body (`PartnerInsightsGetParams`),
`<Schema>Param` for an object inside one (`PrismVersionsParam`). Importing this module imports the models; `import
plaid_partner_insights` alone does not. `Field`, `Model` and `Operation` describe the tables the models publish.
"""

from plaid_partner_insights_generated.client.models import *  # noqa: F403
from plaid_partner_insights_generated.params import *  # noqa: F403

from plaid_partner_insights_core._models import Field as Field
from plaid_partner_insights_core._models import Model as Model
from plaid_partner_insights_core._models import Operation as Operation
