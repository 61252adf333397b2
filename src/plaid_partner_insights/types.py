"""Every request and response model and enum, under its name in the spec.

```python
from plaid_partner_insights.types import CraCheckReportPartnerInsightsGetResponse, PrismCashScore
```

The names come straight from the generated models (a star import of their `__all__`), so a schema added to the
spec appears here on the next `python codegen.py`. Importing this module imports the models; `import
plaid_partner_insights` alone does not. `Field`, `Model` and `Operation` describe the tables the models publish.
"""

from plaid_partner_insights_generated.client.models import *  # noqa: F403

from plaid_partner_insights_core._models import Field as Field
from plaid_partner_insights_core._models import Model as Model
from plaid_partner_insights_core._models import Operation as Operation
