def test_landing_page_answers_for_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 200
