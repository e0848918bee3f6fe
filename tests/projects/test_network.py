"""The network of support: the graph, its list view, the state filter and scoping."""

import re

import pytest
from django.urls import reverse

from projects import charts
from projects.charts import layered_layout, network_graph
from projects.selectors import support_network
from tests.projects.factories import ProjectFactory
from tests.projects.query_budget import assert_page_queries
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("projects:network")


@pytest.fixture
def network(ct, ny):
    rel = PartnerCenterFactory(short_name="REL-NEI", name="REL Northeast & Islands")
    r2cc = PartnerCenterFactory(short_name="R2CC", name="Region 2 Comprehensive Center")
    ncsi = PartnerCenterFactory(short_name="NCSI", name="National Center for Systemic Improvement")
    diversity = ProjectFactory(title="Diversifying the educator workforce", sea=ct, lead_center=r2cc)
    diversity.partner_centers.add(rel)
    literacy = ProjectFactory(title="Early literacy in New York", sea=ny, lead_center=ncsi)
    rab = AdvisoryBodyFactory(short_name="RAB", name="Regional Advisory Board")
    MembershipFactory(body=rab, stakeholder=StakeholderFactory(sea=ct), represents_sea=ct)
    rcc = AdvisoryBodyFactory(
        short_name="RCC", name="Regional Coordinating Council", kind="coordinating_council"
    )
    MembershipFactory(
        body=rcc, stakeholder=StakeholderFactory(sea=None), represents_sea=None, represents_center=rel
    )
    return {"diversity": diversity, "literacy": literacy, "rel": rel, "r2cc": r2cc}


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_facilitator_sees_every_state_with_the_same_links_in_the_table(client, network, facilitator):
    client.force_login(facilitator)
    html = client.get(URL).content.decode()
    svg = html.split('class="chart chart-network"')[1].split("</svg>")[0]
    for label in ("CSDE", "NYSED", "REL-NEI", "R2CC", "NCSI", "RAB", "RCC"):
        assert f">{label}</text>" in svg, label
    table = html.split('id="network-links"')[1].split("</table>")[0]
    row = table.split("Diversifying the educator workforce")[1].split("</tr>")[0]
    assert "R2CC" in row
    assert "REL-NEI" in row
    assert "Early literacy in New York" in table
    overlaps = html.split('id="overlaps"')[1].split("</ul>")[0]
    assert "Diversifying the educator workforce" in overlaps
    assert "Early literacy" not in overlaps
    bodies = html.split('id="network-bodies"')[1].split("</table>")[0]
    assert "CSDE" in bodies
    assert "REL-NEI" in bodies
    assert "style=" not in html


def test_state_filter_is_in_the_url(client, network, facilitator):
    client.force_login(facilitator)
    html = client.get(URL, {"state": "ny"}).content.decode()
    assert "Early literacy in New York" in html
    assert "Diversifying the educator workforce" not in html
    assert re.search(r'<option value="NY" selected>', html)


def test_sea_staff_see_only_their_state_whatever_the_filter(client, network, ct_staff):
    client.force_login(ct_staff)
    for query in ({}, {"state": "NY"}):
        html = client.get(URL, query).content.decode()
        assert "Diversifying the educator workforce" in html
        assert "Early literacy in New York" not in html
        assert "NYSED" not in html
        assert "NCSI" not in html


def test_many_projects_are_drawn_as_weighted_sea_center_links(ct, facilitator):
    center = PartnerCenterFactory()
    for _ in range(5):
        ProjectFactory(sea=ct, lead_center=center)
    data = support_network(facilitator)
    graph = network_graph(data, project_limit=3)
    assert graph.graph["collapsed"]
    assert graph.edges[f"sea:{ct.pk}", f"center:{center.pk}"]["weight"] == 5
    positions = layered_layout(graph)
    assert positions[f"sea:{ct.pk}"][0] < positions[f"center:{center.pk}"][0]


@pytest.mark.parametrize("size", [1, 15])
def test_network_queries_do_not_grow_with_data(
    client, network, ct, facilitator, size, django_assert_max_num_queries
):
    for _ in range(size):
        project = ProjectFactory(sea=ct)
        project.partner_centers.add(PartnerCenterFactory())
    client.force_login(facilitator)
    assert_page_queries(client, URL, django_assert_max_num_queries)
    assert_page_queries(client, URL + "?state=CT", django_assert_max_num_queries)


def test_a_dense_portfolio_is_drawn_as_a_matrix_with_the_same_links_in_the_table(client, ct, ny, facilitator):
    center = PartnerCenterFactory(short_name="RC9")
    for n in range(61):
        ProjectFactory(sea=ct if n % 2 else ny, lead_center=center)
    client.force_login(facilitator)
    html = client.get(URL).content.decode()
    matrix = html.split('class="chart chart-matrix"')[1].split("</svg>")[0]
    assert "CSDE: projects with RC9 30" in matrix
    assert "NYSED: projects with RC9 31" in matrix
    assert ">30</tspan>" in matrix  # a small matrix shows its numbers in the squares
    assert "chart-network" not in html
    links = html.split('id="sea-links"')[1].split("</table>")[0]
    assert "RC9 (30)" in links
    assert "RC9 (31)" in links
    assert 'id="network-links"' not in html  # the project list is for one state at a time
    one_state = client.get(URL, {"state": "CT"}).content.decode()
    assert "chart-network" in one_state
    assert 'id="network-links"' in one_state


def test_a_national_matrix_stays_small_and_keeps_its_figures_in_row_titles():
    from types import SimpleNamespace

    centers = [SimpleNamespace(pk=c, short_name=f"C{c}", name=f"Center {c}") for c in range(30)]
    sea_links = [
        {
            "sea": SimpleNamespace(short_name=f"S{s}"),
            "centers": [{"center": center, "projects": 1 + (s * center.pk) % 9} for center in centers],
        }
        for s in range(57)
    ]
    svg = str(charts.network_matrix_svg(sea_links, label="All states"))
    assert svg.count("<use ") == 57 * 30
    assert "<tspan" not in svg  # above the limit the squares carry their shade only
    assert "S2: projects with C0 1, C1 3, C2 5" in svg
    assert len(svg) < 57 * 30 * 60  # bytes per square, titles and labels included
